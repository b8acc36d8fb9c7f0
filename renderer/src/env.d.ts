// Vite bundles imported stylesheets; TypeScript only needs to know that such imports exist.
declare module '*.css';
