#!/usr/bin/env node
// Committed so that npm links `lp-auth` at install time, before `dist/` is built (npm skips a
// workspace's bin whose file does not exist yet). The command itself is the built dist/bin.js.
import '../dist/bin.js';
