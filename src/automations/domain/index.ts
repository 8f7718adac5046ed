export * from './automation';
export * from './match';
export * from './guards';
export * from './template';
export * from './verify';
export * from './signature';
