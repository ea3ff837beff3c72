// The Swagger UI files the docs page serves are imported `with { type: 'file' }`:
// Bun then gives their path, and `bun build --compile` embeds them in the binary.
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const path: string;
  export default path;
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const path: string;
  export default path;
}
declare module 'swagger-ui-dist/favicon-32x32.png' {
  const path: string;
  export default path;
}
