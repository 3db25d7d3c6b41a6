import type * as z from 'zod/mini';
import type { ProviderAdapter, ProviderDefinition, ProviderDescriptor } from './port';
import { straddleDescriptor } from './straddle/descriptor';
import type { straddleProvider } from './straddle/provider';
import { straitsxDescriptor } from './straitsx/descriptor';
import type { straitsxProvider } from './straitsx/provider';
import { wallexDescriptor } from './wallex/descriptor';
import type { wallexProvider } from './wallex/provider';

/**
 * Every provider this stack onboards onto; adding a provider is one line in each map.
 * A provider's module (schemas, client, adapter) is imported on first use only: a function that never
 * meets a provider never initialises it, and one that meets StraitsX initialises StraitsX alone. The
 * descriptors are plain data and load with the registry.
 */
const LOADERS = {
  straitsx: () => import('./straitsx/provider').then((m) => m.straitsxProvider),
  wallex: () => import('./wallex/provider').then((m) => m.wallexProvider),
  straddle: () => import('./straddle/provider').then((m) => m.straddleProvider),
} as const;

const DESCRIPTORS: Readonly<Record<keyof typeof LOADERS, ProviderDescriptor>> = {
  straitsx: straitsxDescriptor,
  wallex: wallexDescriptor,
  straddle: straddleDescriptor,
};

/** The providers' definitions by name, as types only (the values load lazily). */
interface Definitions {
  straitsx: typeof straitsxProvider;
  wallex: typeof wallexProvider;
  straddle: typeof straddleProvider;
}

/** Providers this stack onboards onto. */
export type ProviderName = keyof typeof LOADERS;
export const PROVIDERS = Object.keys(LOADERS) as readonly ProviderName[];

/**
 * The body of `POST /onboardings` and the detail of a `Customer Onboarding Requested` event:
 * the provider, the merchant's own reference, and the customer in the provider's own field names.
 */
export type OnboardingRequest = { [K in ProviderName]: z.output<Definitions[K]['requestSchema']> }[ProviderName];

/** True when `name` is a provider of this stack. */
export const isProviderName = (name: unknown): name is ProviderName => typeof name === 'string' && Object.hasOwn(LOADERS, name);

/** What the CDK app and the routes need of a provider: its webhook path, secret shape, default URL. */
export function descriptorOf(name: ProviderName): ProviderDescriptor {
  return DESCRIPTORS[name];
}

const loaded = new Map<ProviderName, Promise<ProviderDefinition<ProviderName>>>();

/** The definition of a provider (request schema, business key, adapter, webhook), loaded on first use. */
export function providerOf(name: ProviderName): Promise<ProviderDefinition<ProviderName>> {
  let definition = loaded.get(name);
  if (!definition) {
    definition = LOADERS[name]() as Promise<unknown> as Promise<ProviderDefinition<ProviderName>>;
    loaded.set(name, definition);
  }
  return definition;
}

const made = new Map<ProviderName, ProviderAdapter>();

/** The adapter for a provider, made once per container; no handler names a provider. */
export async function adapterFor(provider: ProviderName): Promise<ProviderAdapter> {
  const definition = await providerOf(provider);
  // Checked after the await: two first calls at once still share one adapter.
  let adapter = made.get(provider);
  if (!adapter) {
    adapter = definition.adapter();
    made.set(provider, adapter);
  }
  return adapter;
}
