/** The access history from the API server's audit log: parsing its events, folding them, and the rows auditors export. */
export * from './event.ts';
export * from './history.ts';
export * from './rows.ts';
