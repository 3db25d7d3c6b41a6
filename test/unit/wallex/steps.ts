import type { DocumentAccess, ProfileResult, StepContext } from '../../../functions/providers/port';
import type { WallexAdapter } from '../../../functions/providers/wallex/adapter';

/**
 * The workflow's order of steps as the Wallex adapter plans it: the sign-up, then (from the call the
 * sign-up says Wallex waits for) the details, each upload and the screening.
 */
export async function onboardUser(
  adapter: WallexAdapter,
  context: StepContext & { documents: DocumentAccess; profileId?: string },
): Promise<ProfileResult> {
  const created = await adapter.createProfile(context);
  if (!created.awaiting) return created;
  const profileId = created.profileId;
  if (created.awaiting === 'details') await adapter.submitDetails({ ...context, profileId });
  for (const { slot } of adapter.requiredDocuments(context.request))
    await adapter.uploadDocument({ ...context, profileId, slot });
  const screened = await adapter.startScreening({ ...context, profileId });
  return { ...screened, created: created.created };
}
