#!/usr/bin/env node
// Committed so that npm links `lp-auth-emulator` at install time, before `dist/` is built (npm
// skips a workspace's bin whose file does not exist yet). The command is the built emulator.
import '../dist/bin/emulator.js';
