// Starts Swagger UI over /openapi.yaml, or says plainly that its files could not be loaded.
// Runs after the CDN script tag has loaded or failed (scripts without async run in order).
'use strict';

(() => {
  const status = document.getElementById('swagger-status');

  function unavailable() {
    status.replaceChildren(
      document.createTextNode('Swagger UI could not be loaded: its files come from cdn.jsdelivr.net, which this browser cannot reach. '),
      document.createTextNode('The API is described by the OpenAPI document at '),
      Object.assign(document.createElement('a'), {href: '/openapi.yaml', textContent: '/openapi.yaml'}),
      document.createTextNode('; open it in any OpenAPI viewer, or go back to the '),
      Object.assign(document.createElement('a'), {href: '/', textContent: 'demo app'}),
      document.createTextNode('.'));
    status.setAttribute('role', 'alert');
    status.dataset.state = 'unavailable';
  }

  if (typeof window.SwaggerUIBundle !== 'function') {
    unavailable();
    return;
  }
  status.hidden = true;
  status.dataset.state = 'loaded';
  window.ui = window.SwaggerUIBundle({
    url: '/openapi.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // "Authorize" keeps a bearer token for "Try it out"; get one from POST /api/v1/identity/login.
    persistAuthorization: false,
    tryItOutEnabled: false,
    displayRequestDuration: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
