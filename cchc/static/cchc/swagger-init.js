// Starts Swagger UI from a static file: the CSP refuses inline scripts.
(function () {
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var token = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  if (token) {
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = token;
      return req;
    };
  }
  SwaggerUIBundle(config);
})();
