// electron-vite's module types: an import ending in "?asset" is the path of a file copied into the build
// (the window and drag icons from build/icons).
/// <reference types="electron-vite/node" />
