// Starts Swagger UI on /docs (api/docs.py): a file rather than FastAPI's inline script, so the
// page runs under a Content-Security-Policy without 'unsafe-inline' scripts (api/headers.py).
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
});
