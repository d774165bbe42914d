/**
 * The room providers the gateway can run, by their VISIO_PROVIDER name. Adding one: a module exporting its
 * ProviderDefinition (name, environment schema, factory), one line here, its name in PROVIDERS
 * (@visio/shared/types); CONTRIBUTING.md lists the tests it needs.
 */
import type { ProviderName } from '@visio/shared';
import { livekit } from './livekit.js';
import { meet } from './meet.js';
import type { ProviderDefinition } from './provider.js';
import { standalone } from './standalone.js';

export const ROOM_PROVIDERS: { readonly [Name in ProviderName]: ProviderDefinition } = { standalone, meet, livekit };
