/* Starts Swagger UI on the API docs page. An external file, not an inline script: the server's
   Content-Security-Policy allows no inline code. The schema's address is on this script's tag. */
(function () {
  "use strict";
  var openapiUrl = document.currentScript.getAttribute("data-openapi-url");
  window.addEventListener("load", function () {
    window.ui = window.SwaggerUIBundle({
      url: openapiUrl,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      presets: [window.SwaggerUIBundle.presets.apis]
    });
  });
})();
