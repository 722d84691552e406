import { defineFixtureChecks } from './fixture-checks.js';

// The fixture over Streamable HTTP: the same checks as over stdio, stricter than the suite's own.
defineFixtureChecks('http');
