import { defineFixtureChecks } from './fixture-checks.js';

// The fixture over stdio: the suite only speaks HTTP, so the SDK client does the equivalent calls.
defineFixtureChecks('stdio');
