// The browser entry of wasmbox, bundled by scripts/build-browser.mjs into dist/browser/wasmbox.js.
// It is the isomorphic core plus what only a page has; it must never import node:* (the build
// fails if it does).

export * from '../../index.js';
