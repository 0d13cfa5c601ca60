// Builds the Hono app from its feature routers; no I/O happens here beyond what handlers do.
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { adminRoutes } from './admin/routes.ts';
import type { AppDeps } from './app-deps.ts';
import { registerApiKeyRoutes } from './auth/api-keys-routes.ts';
import { requireApiKey } from './auth/require-api-key.ts';
import { challengeRoutes } from './bot-defence/challenge-routes.ts';
import { confirmRoutes } from './confirm/routes.ts';
import { registerContactChangesRoute } from './contacts/http/changes-routes.ts';
import { registerContactHistoryRoutes } from './contacts/http/contact-history-routes.ts';
import { registerContactRoutes } from './contacts/http/contacts-routes.ts';
import { registerFieldRoutes } from './contacts/http/fields-routes.ts';
import { registerGroupRoutes } from './contacts/http/groups-routes.ts';
import { registerActivityRoutes } from './deliverability/activities/activities-routes.ts';
import { registerFeedbackWebhookRoutes } from './deliverability/feedback/webhook-routes.ts';
import { registerSuppressionRoutes } from './deliverability/suppressions/suppressions-routes.ts';
import { trackingRoutes } from './deliverability/tracking/tracking-routes.ts';
import { registerWorkflowRoutes } from './engine/api-routes.ts';
import { registerEventRoutes } from './events/api-routes.ts';
import { registerFormRoutes } from './forms/api-routes.ts';
import { API_BODY_LIMIT, apiDocumentConfig, createApiApp } from './http/api-app.ts';
import { apiDocsRoutes } from './http/api-docs.ts';
import { registerApiFallback } from './http/api-fallback.ts';
import { bodyLimit } from './http/body-limit.ts';
import { errorHandler } from './http/error-handler.ts';
import { healthRoutes } from './http/health-routes.ts';
import { rejectUnstorableTextInBody, rejectUnstorableTextInUrl } from './http/input-guard.ts';
import { pageCsp } from './http/page-csp.ts';
import { rateLimitPerApiKey } from './http/rate-limit.ts';
import { requestContext } from './http/request-context.ts';
import { registerImportRoutes } from './imports/http/imports-routes.ts';
import { devMailboxRoutes, devMailboxServing } from './mail/dev-mailbox-routes.ts';
import { registerOutboxRoutes } from './mail/outbox-routes.ts';
import { recordRequests } from './metrics/http-metrics.ts';
import { metricsRoutes, metricsServing } from './metrics/metrics-routes.ts';
import { registerApiSubscribeRoute } from './subscribe/api-routes.ts';
import { publicFormRoutes } from './subscribe/public-routes.ts';
import { widgetRoutes } from './widget/routes.ts';

const API_BASE = '/api/v1';

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.logger));
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'not_found',
          message: `no route for ${c.req.method} ${c.req.path}`,
          requestId: c.get('requestId'),
        },
      },
      404,
    ),
  );
  const metrics = metricsServing(deps.config);
  if (metrics !== 'off') app.use('*', recordRequests());
  app.use('*', requestContext(deps.logger));
  app.use('*', secureHeaders({ crossOriginResourcePolicy: false, crossOriginOpenerPolicy: false }));
  app.use('*', rejectUnstorableTextInUrl());
  for (const path of ['/confirm/*', '/unsubscribe/*', '/v1/forms/*', '/t/*'])
    app.use(path, pageCsp());

  app.route('/', healthRoutes(deps.db));

  if (metrics === 'main') app.route('/', metricsRoutes(deps));
  app.route('/', widgetRoutes(deps.logger));
  app.route('/', adminRoutes(deps.logger));
  app.route('/', publicFormRoutes(deps));
  app.route('/', challengeRoutes(deps));
  app.route('/', confirmRoutes(deps));
  app.route('/', trackingRoutes(deps));
  const mailbox = devMailboxServing(deps.config);
  deps.logger.info(
    { devMailbox: mailbox.served },
    `dev mailbox ${mailbox.served ? 'served at /dev/mailbox' : 'not served'}: ${mailbox.reason}`,
  );
  if (mailbox.served) app.route('/', devMailboxRoutes(deps.db));

  const api = createApiApp();
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
  });
  api.use(
    '*',
    bodyLimit(API_BODY_LIMIT, { [`${API_BASE}/imports`]: deps.config.IMPORT_MAX_BYTES }),
  );
  // Registered before the key check, so the spec stays public for tools; the rest needs a key.
  api.doc('/openapi.json', apiDocumentConfig(deps.config.PUBLIC_URL));
  api.use('*', requireApiKey(deps.db, deps.config.BOOTSTRAP_API_KEY));
  api.use('*', rateLimitPerApiKey(deps, { perMinute: deps.config.API_RATE_LIMIT }));
  api.use('*', rejectUnstorableTextInBody());
  registerApiKeyRoutes(api, deps.db);
  registerFormRoutes(api, deps);
  registerEventRoutes(api, deps);
  // Before the contact routes: `/contacts/{id}` would otherwise take `/contacts/changes`.
  registerContactChangesRoute(api, deps.db);
  registerContactRoutes(api, deps);
  registerContactHistoryRoutes(api, deps.db);
  registerGroupRoutes(api, deps.db);
  registerFieldRoutes(api, deps.db);
  registerImportRoutes(api, deps);
  registerApiSubscribeRoute(api, deps);
  registerWorkflowRoutes(api, deps.db, deps.engine);
  registerOutboxRoutes(api, deps.db);
  registerActivityRoutes(api, deps);
  registerSuppressionRoutes(api, deps);
  registerFeedbackWebhookRoutes(api, deps);
  // Last: it answers 405 or 404 for whatever no route above took.
  registerApiFallback(api, API_BASE);
  app.route(API_BASE, api);
  app.route('/', apiDocsRoutes());

  return app;
}
