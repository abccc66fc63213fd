import { loadConfig } from '../../server/config.js';

export const probe = loadConfig;
