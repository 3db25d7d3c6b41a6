import type * as z from 'zod';
import type { ProviderAdapter, ProviderDefinition } from './port';
import { straddleProvider } from './straddle/provider';
import { straitsxProvider } from './straitsx/provider';
import { wallexProvider } from './wallex/provider';

/** Every provider this stack onboards onto; adding a provider is one line here. */
const REGISTRY = {
  straitsx: straitsxProvider,
  wallex: wallexProvider,
  straddle: straddleProvider,
} as const;

/** Providers this stack onboards onto. */
export type ProviderName = keyof typeof REGISTRY;
export const PROVIDERS = Object.keys(REGISTRY) as readonly ProviderName[];

/**
 * The body of `POST /onboardings` and the detail of a `Customer Onboarding Requested` event:
 * the provider, the merchant's own reference, and the customer in the provider's own field names.
 */
export type OnboardingRequest = { [K in ProviderName]: z.output<(typeof REGISTRY)[K]['requestSchema']> }[ProviderName];

/** True when `name` is a provider of this stack. */
export const isProviderName = (name: unknown): name is ProviderName => typeof name === 'string' && Object.hasOwn(REGISTRY, name);

/** The definition of a provider: its request schema, business key, adapter and descriptor. */
export function providerOf(name: ProviderName): ProviderDefinition<ProviderName> {
  return REGISTRY[name] as unknown as ProviderDefinition<ProviderName>;
}

const made = new Map<ProviderName, ProviderAdapter>();

/** The adapter for a provider, made once per container; no handler names a provider. */
export function adapterFor(provider: ProviderName): ProviderAdapter {
  let adapter = made.get(provider);
  if (!adapter) {
    adapter = REGISTRY[provider].adapter();
    made.set(provider, adapter);
  }
  return adapter;
}
