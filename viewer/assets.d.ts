/** Files Vite inlines into the bundle as a data URL (`import url from './file.bin?inline'`). */
declare module '*.bin?inline' {
  const dataUrl: string
  export default dataUrl
}
