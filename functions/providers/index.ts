import type { ProviderName } from '../onboarding/request';
import type { ProviderAdapter } from './port';
import { straddleAdapter } from './straddle/adapter';
import { straitsxAdapter } from './straitsx/adapter';
import { wallexAdapter } from './wallex/adapter';

const adapters: Record<ProviderName, () => ProviderAdapter> = {
  straitsx: straitsxAdapter,
  wallex: wallexAdapter,
  straddle: straddleAdapter,
};

const made = new Map<ProviderName, ProviderAdapter>();

/** The adapter for a provider; adding a provider means adding a line here, not touching a handler. */
export function adapterFor(provider: ProviderName): ProviderAdapter {
  let adapter = made.get(provider);
  if (!adapter) {
    adapter = adapters[provider]();
    made.set(provider, adapter);
  }
  return adapter;
}
