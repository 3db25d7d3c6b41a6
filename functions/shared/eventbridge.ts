import type { PutEventsRequest, PutEventsResponse } from '@aws-sdk/client-eventbridge';
import { type AwsJsonService, callAws } from './aws-json';

/** EventBridge's PutEvents over aws-json.ts, with the SDK client's input and output (an entry's `Time` a Date). */

export const EVENTBRIDGE: AwsJsonService = {
  target: 'AWSEvents',
  jsonVersion: '1.1',
  signingName: 'events',
  envName: 'EVENTBRIDGE',
  endpointPrefix: 'events',
};

/** PutEvents. */
export const putEvents = (input: PutEventsRequest) => callAws<PutEventsResponse>(EVENTBRIDGE, 'PutEvents', input);
