package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

// routes registers every route the server answers, page and API, in the
// order Fiber matches them. This is the one place a URL is bound to a
// handler (routes_test.go fails on a route registered anywhere else): read
// it top to bottom to find what serves a path, its rate limit and, in the
// comment over each area, who may call it. Permissions themselves are
// checked by the services the handlers call (config/permissions.yaml).
//
// Order matters where patterns overlap (/cases/new before /cases/:id), and
// middleware applies only to the routes registered after it: the probes
// answer before a tenant is resolved.
func (s *Server) routes() {
	app := s.app
	api := app.Group("/api/v1")

	// ── Middleware for every request ────────────────────────────────────
	app.Use(recover.New(recover.Config{EnableStackTrace: false}))
	app.Use(requestid.New())
	app.Use(s.logRequests)
	if s.metrics != nil {
		app.Use(s.observe)
	}
	app.Use(s.securityHeaders)
	app.Use(s.limitBody)

	// ── Probes: any host (load balancers do not send tenant hosts) ──────
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)

	// ── Tenant, session and the filing/upload limits (ratelimit.go) ─────
	app.Use(s.resolveHost)
	app.Use(s.stopSuspended)
	app.Use(s.authenticate)
	app.Use(s.enforceLimits)

	// ── Site shell: metrics, static files, theme, home ──────────────────
	app.Get("/metrics", s.serveMetrics)
	app.Get("/static/*", s.static)
	app.Get("/theme.css", s.themeAsset("css"))
	app.Get("/logo.svg", s.themeAsset("logo"))
	app.Get("/favicon.svg", s.themeAsset("favicon"))
	app.Get("/", s.home)

	// ── Accounts: registration, login, 2FA, staff roles and invites ─────
	// (auth.go, account.go, auth_pages.go). Staff routes: staff:manage at
	// the branch, checked by auth.Service. Each limiter counts per tenant,
	// address and route; login and code forms have their own.
	loginLimit := s.perIPLimit(30, 15*time.Minute)
	codeLimit := s.perIPLimit(30, 15*time.Minute)
	api.Post("/auth/register", loginLimit, s.apiRegister)
	api.Post("/auth/login", loginLimit, s.apiLogin)
	api.Post("/auth/logout", s.apiLogout)
	api.Get("/me", s.apiMe)
	api.Post("/me/2fa", s.apiStartTOTP)
	api.Post("/me/2fa/confirm", s.apiConfirmTOTP)
	api.Get("/staff", s.apiStaff)
	api.Post("/staff/roles", s.apiAssignRole)
	api.Delete("/staff/roles/:id", s.apiRevokeRole)
	api.Post("/staff/invites", s.apiInvite)
	api.Post("/staff/invites/accept", loginLimit, s.apiAcceptInvite)
	api.Post("/users/:id/revoke-tokens", s.apiRevokeTokens)
	api.Post("/users/:id/reset-2fa", s.apiResetTOTP)
	api.Post("/auth/register/verify", codeLimit, s.apiVerifyRegistration)
	api.Post("/auth/password/forgot", codeLimit, s.apiForgotPassword)
	api.Post("/auth/password/reset", codeLimit, s.apiResetPassword)
	api.Post("/users/:id/password-reset-code", s.apiStaffResetCode)
	api.Post("/users/:id/verify-member", s.apiVerifyMember)
	app.Get("/register/verify", s.verifyPage)
	app.Post("/register/verify", codeLimit, s.verifySubmit)
	app.Get("/password/forgot", s.forgotPage)
	app.Post("/password/forgot", codeLimit, s.forgotSubmit)
	app.Get("/password/reset", s.resetPage)
	app.Post("/password/reset", codeLimit, s.resetSubmit)
	app.Get("/2fa", s.twoFactorPage)
	app.Post("/2fa/start", s.twoFactorStart)
	app.Post("/2fa/confirm", s.twoFactorConfirm)
	app.Get("/register", s.registerPage)
	app.Post("/register", loginLimit, s.registerSubmit)
	app.Get("/login", s.loginPage)
	app.Post("/login", loginLimit, s.loginSubmit)
	app.Post("/logout", s.logoutSubmit)
	app.Get("/profile", s.profilePage)
	app.Get("/invite/:token", s.invitePage)
	app.Post("/invite/:token", loginLimit, s.inviteSubmit)
	app.Get("/staff", s.staffPage)

	// ── Cases: filing and the signed-in reporter's follow-up ────────────
	// (cases.go, cases_pages.go). cases.Service checks case:create, case:read
	// and the reporter's own case. Similar-case hints: per address and per
	// account; the filing form's check step counts against the account.
	api.Post("/cases", s.apiFileCase)
	api.Post("/cases/similar", s.perIPLimit(60, 10*time.Minute), s.perAccountLimit(hintsPerAccount, time.Hour, nil), s.apiSimilar)
	api.Get("/cases", s.apiMyCases) // staff: the queue (apiQueue)
	api.Get("/cases/:id", s.apiGetCase)
	api.Post("/cases/:id/evidence", s.apiAddEvidence)
	api.Get("/cases/:id/evidence/:file", s.evidenceDownload)
	api.Post("/cases/:id/messages", s.apiAddMessage)
	api.Post("/cases/:id/support", s.apiSupport)
	api.Post("/cases/:id/identity/reveal", s.apiRevealIdentity)
	app.Get("/cases/new", s.newCasePage)
	app.Post("/cases/new", s.perAccountLimit(hintsPerAccount, time.Hour, isNotHintCheck), s.newCaseSubmit)
	app.Get("/cases", s.myCasesPage)
	app.Get("/cases/:id", s.casePage)
	app.Post("/cases/:id/messages", s.caseMessageSubmit)
	app.Post("/cases/:id/evidence", s.caseEvidenceSubmit)
	app.Post("/cases/:id/support", s.caseSupportSubmit)
	app.Post("/cases/:id/identity/reveal", s.caseRevealSubmit)
	app.Get("/cases/:id/evidence/:file", s.evidenceDownload)

	// ── Receipts: the anonymous reporter, by receipt code (receipts.go) ─
	// No session; receiptGate throttles per address and per union, and a
	// wrong code or token counts as a miss.
	gate := s.receiptGate
	api.Post("/receipts/session", gate, s.apiReceiptSession)
	api.Get("/receipt", gate, s.apiReceipt)
	api.Post("/receipt/messages", gate, receiptJSON(s, fiber.StatusCreated, s.receiptMessage))
	api.Post("/receipt/evidence", gate, s.apiReceiptEvidence)
	api.Get("/receipt/evidence/:file", gate, s.receiptEvidenceDownload)
	api.Post("/receipt/info", gate, receiptJSON(s, fiber.StatusOK, s.receiptAnswerInfo))
	api.Post("/receipt/transitions", gate, receiptJSON(s, fiber.StatusOK, s.cases.TransitionByReceipt))
	api.Post("/receipt/reopen", gate, receiptJSON(s, fiber.StatusOK, s.receiptReopen))
	api.Post("/receipt/withdraw", gate, receiptJSON(s, fiber.StatusOK, s.receiptWithdraw))
	api.Post("/receipt/rating", gate, receiptJSON(s, fiber.StatusCreated, s.cases.RateByReceipt))
	api.Post("/receipt/checkins/:n", gate, s.apiReceiptCheckin)
	if s.notify != nil {
		api.Get("/receipt/notifications", gate, s.apiReceiptNotifications)
	}
	app.Get("/receipt", s.receiptPage)
	app.Post("/receipt", gate, s.receiptSubmit)
	app.Get("/receipt/case", gate, s.receiptCasePage)
	app.Post("/receipt/messages", gate, s.receiptMessageSubmit)
	app.Post("/receipt/evidence", gate, s.receiptEvidenceSubmit)
	app.Get("/receipt/evidence/:file", gate, s.receiptEvidenceDownload)
	app.Post("/receipt/info", gate, s.receiptInfoSubmit)
	app.Post("/receipt/reopen", gate, s.receiptReopenSubmit)
	app.Post("/receipt/withdraw", gate, s.receiptWithdrawSubmit)
	app.Post("/receipt/rate", gate, s.receiptRateSubmit)
	app.Post("/receipt/checkins/:n", gate, s.receiptCheckinSubmit)
	app.Post("/receipt/leave", s.receiptLeave)

	// ── Reporter journey forms and the installable app (journey.go, pwa.go)
	app.Post("/cases/:id/info", s.caseInfoSubmit)
	app.Post("/cases/:id/withdraw", s.caseWithdrawSubmit)
	app.Get("/manifest.webmanifest", s.manifest)
	app.Get("/icons/:name", s.appIcon)
	app.Get("/sw.js", s.serviceWorker)

	// ── AI suggestions (suggestions.go): officers accept or correct ─────
	api.Get("/cases/:id/suggestion", s.apiSuggestion)
	api.Post("/cases/:id/suggestion", s.apiDecideSuggestion)
	api.Get("/cases/:id/recommendations", s.apiRecommendations)
	api.Get("/ai/acceptance", s.apiAcceptance)

	// ── Notifications (notifications.go); off without a notify service ──
	if s.notify != nil {
		api.Get("/notifications", s.apiNotifications)
		api.Post("/notifications/read", s.apiNotificationsRead)
		api.Get("/me/notification-preferences", s.apiNotificationPrefs)
		api.Post("/me/notification-preferences", s.apiSetNotificationPrefs)
		api.Get("/admin/notifications", s.apiAdminNotifications)
		api.Get("/admin/notification-settings", s.apiNotificationSettings)
		api.Put("/admin/notification-settings", s.apiSaveNotificationSettings)
		app.Get("/notifications", s.notificationsPage)
		app.Post("/notifications/preferences", s.notificationPrefsSubmit)
	}

	// ── Union administration: the admin API (admin_*.go) ────────────────
	// Authorised against the union's root branch (federation admins) or,
	// for branch admins, their sub-tree; settings need tenant_settings.
	api.Get("/admin/events", s.apiAdminEvents)
	api.Get("/admin/categories", s.apiAdminCategories)
	api.Post("/admin/categories", s.apiCreateCategory)
	api.Post("/admin/categories/reorder", s.apiReorderCategories)
	api.Get("/admin/categories/:id", s.apiAdminCategory)
	api.Patch("/admin/categories/:id", s.apiUpdateCategory)
	api.Delete("/admin/categories/:id", s.apiDeleteCategory)
	api.Post("/admin/categories/:id/hide", s.apiSetCategoryActive(false))
	api.Post("/admin/categories/:id/show", s.apiSetCategoryActive(true))
	api.Post("/admin/categories/:id/merge", s.apiMergeCategory)
	api.Get("/admin/branches", s.apiAdminBranches)
	api.Post("/admin/branches", s.apiCreateBranch)
	api.Patch("/admin/branches/:id", s.apiRenameBranch)
	api.Post("/admin/branches/:id/move", s.apiMoveBranch)
	api.Post("/admin/branches/:id/close", s.apiCloseBranch)
	api.Get("/admin/workplaces", s.apiAdminWorkplaces)
	api.Post("/admin/workplaces", s.apiCreateWorkplace)
	api.Post("/admin/workplaces/:id/merge", s.apiMergeWorkplace)
	api.Get("/admin/workers", s.apiAdminWorkers)
	app.Get("/admin/people", s.adminPeoplePage)
	app.Post("/admin/people/:id/reset-2fa", s.adminPersonAction(adminResetTwoFactor))
	app.Post("/admin/people/:id/revoke", s.adminPersonAction(adminRevokeTokens))
	api.Get("/admin/dashboard", s.apiDashboard)
	app.Get("/admin/dashboard", s.dashboardPage)

	// Case exports (admin_exports.go): the sub-tree's CSV (API and page,
	// same handler), a case's redacted packet, the reporter's consent.
	api.Get("/admin/exports/cases", s.exportCasesCSV)
	api.Get("/cases/:id/packet", s.casePacket)
	api.Put("/cases/:id/share-consent", s.apiShareConsent)
	app.Get("/admin/exports/cases", s.exportCasesCSV)
	app.Get("/cases/:id/packet", s.casePacket)
	app.Post("/cases/:id/share-consent", s.shareConsentSubmit)

	// Settings pages and their API: branding, sectors, org tree, handling,
	// analytics sharing (tenant_settings:update).
	app.Get("/admin/branding", s.brandingPage)
	app.Post("/admin/branding", s.brandingSave)
	app.Post("/admin/branding/preview", s.brandingPreview)
	app.Get("/admin/branding/preview.css", s.brandingPreviewCSS)
	app.Get("/admin/branding/draft-logo", s.brandingDraftLogo)
	api.Post("/admin/sectors", s.apiApplySector)
	app.Get("/admin/sectors", s.sectorsPage)
	app.Post("/admin/sectors", s.sectorsSubmit)
	app.Get("/admin/org", s.orgPage)
	app.Post("/admin/org/branches", s.orgBranchCreate)
	app.Post("/admin/org/branches/:id/:action", s.orgBranchAction)
	app.Post("/admin/org/workplaces", s.orgWorkplaceCreate)
	app.Post("/admin/org/workplaces/:id/merge", s.orgWorkplaceMerge)
	api.Put("/admin/settings/reopen-window", s.apiSetReopenWindow)
	app.Get("/admin/handling", s.handlingSettingsPage)
	app.Post("/admin/handling/canned-replies", s.handlingCannedAdd)
	app.Post("/admin/handling/canned-replies/:id/delete", s.handlingCannedDelete)
	app.Post("/admin/handling/statuses", s.handlingWordingsSave)
	app.Post("/admin/handling/reopen-window", s.handlingReopenWindowSave)
	api.Get("/admin/settings/analytics-sharing", s.apiAnalyticsSharing)
	api.Put("/admin/settings/analytics-sharing", s.apiSetAnalyticsSharing)
	app.Get("/admin/sharing", s.sharingPage)
	app.Post("/admin/sharing", s.sharingSave)
	// Two-step verification for the union's staff (admin_security.go).
	api.Get("/admin/settings/staff-2fa", s.apiStaff2FA)
	api.Put("/admin/settings/staff-2fa", s.apiSetStaff2FA)
	app.Get("/admin/security", s.securityPage)
	app.Post("/admin/security", s.securitySave)

	// Team (admin_team.go): invites, roles, routing rules, conflicts of
	// interest, notification channels. Federation admins union-wide,
	// branch admins in their sub-tree (auth.Service and cases.Service check).
	api.Get("/staff/invites", s.apiPendingInvites)
	api.Post("/staff/invites/:id/revoke", s.apiRevokeInvite)
	api.Post("/staff/invites/:id/resend", s.apiResendInvite)
	api.Get("/routing-rules", s.apiRoutingRules)
	api.Delete("/routing-rules/:id", s.apiDeleteRoutingRule)
	api.Get("/staff-conflicts", s.apiStaffConflicts)
	api.Delete("/staff-conflicts/:user/:workplace", s.apiDeleteStaffConflict)
	api.Post("/admin/notification-settings/test", s.apiTestMessage)
	app.Get("/admin/team", s.teamPage)
	app.Post("/admin/team/invites", s.teamInvite)
	app.Post("/admin/team/invites/:id/revoke", s.teamInviteAction("revoked"))
	app.Post("/admin/team/invites/:id/resend", s.teamInviteAction("resent"))
	app.Post("/admin/team/roles", s.teamRoleGive)
	app.Post("/admin/team/roles/:id/remove", s.teamRoleRemove)
	app.Get("/admin/routing", s.routingPage)
	app.Post("/admin/routing/rules", s.routingRuleAdd)
	app.Post("/admin/routing/rules/:id/delete", s.routingRuleDelete)
	app.Post("/admin/routing/conflicts", s.conflictAdd)
	app.Post("/admin/routing/conflicts/delete", s.conflictDelete)
	app.Get("/admin/channels", s.channelsPage)
	app.Post("/admin/channels", s.channelsSave)
	app.Post("/admin/channels/test", s.channelsTest)

	// The union's tag vocabulary (admin_tags.go): tag read, create, update
	// (federation admins); retired tags are no longer suggested or chosen.
	api.Get("/admin/tags", s.apiTags)
	api.Post("/admin/tags", s.tagsAdd)
	api.Post("/admin/tags/:slug/retire", s.tagsRetire)
	app.Get("/admin/tags", s.tagsPage)
	app.Post("/admin/tags", s.tagsAdd)
	app.Post("/admin/tags/retire", s.tagsRetire)

	// Categories pages (admin.go).
	app.Get("/admin", s.adminIndex)
	app.Get("/admin/categories", s.adminCategoriesPage)
	app.Post("/admin/categories", s.adminCategoryCreate)
	app.Get("/admin/categories/:id", s.adminCategoryPage)
	app.Post("/admin/categories/:id", s.adminCategoryUpdate)
	app.Post("/admin/categories/:id/:action", s.adminCategoryAction)

	// ── Case handling by staff (handling.go, handling_pages.go) ─────────
	// cases.Service checks each action against the case's branch.
	api.Get("/cases/:id/transitions", s.apiAllowedTransitions)
	api.Post("/cases/:id/transitions", s.apiTransition)
	api.Post("/cases/:id/assign", s.apiAssign)
	api.Post("/cases/:id/actions", s.apiAction)
	api.Post("/cases/:id/outcome", s.apiOutcome)
	api.Post("/cases/:id/notes", s.apiNote)
	api.Get("/cases/:id/playbook", s.apiPlaybook)
	api.Post("/cases/:id/rating", s.apiRate)
	api.Post("/cases/:id/reopen", s.apiReopen)
	api.Post("/cases/:id/checkins/:n", s.apiCheckin)
	api.Get("/canned-replies", s.apiCannedReplies)
	api.Post("/canned-replies", s.apiAddCannedReply)
	api.Delete("/canned-replies/:id", s.apiDeleteCannedReply)
	api.Get("/statuses", s.apiStatuses)
	api.Put("/statuses/:status", s.apiSetStatusWording)
	api.Post("/routing-rules", s.apiAddRoutingRule)
	api.Post("/staff-conflicts", s.apiAddStaffConflict)
	app.Post("/cases/:id/transitions", s.caseTransitionSubmit)
	app.Post("/cases/:id/assign", s.caseAssignSubmit)
	app.Post("/cases/:id/actions", s.caseActionSubmit)
	app.Post("/cases/:id/outcome", s.caseOutcomeSubmit)
	app.Post("/cases/:id/notes", s.caseNoteSubmit)
	app.Post("/cases/:id/staff-message", s.caseStaffMessageSubmit)
	app.Post("/cases/:id/suggestion", s.caseSuggestionSubmit)
	app.Get("/cases/:id/rate", s.caseRatePage)
	app.Post("/cases/:id/rate", s.caseRateSubmit)
	app.Post("/cases/:id/checkins/:n", s.caseCheckinSubmit)

	// ── Platform console: cross-union analytics, reports, unions ────────
	// (platform*.go) On the platform host only, for platform staff.
	api.Get("/platform/aggregates", s.apiAggregates)
	api.Get("/platform/overview", s.apiPlatformOverview)
	app.Get("/console", s.consoleOverviewPage)
	app.Get("/console/explore", s.consoleExplorePage)
	app.Get("/console/explore.csv", s.consoleExportCSV)
	app.Get("/console/trend", s.consoleTrendPage)
	api.Get("/platform/reports", s.apiReports)
	api.Get("/platform/reports/:month", s.apiReport)
	app.Get("/console/reports", s.consoleReportsPage)
	app.Post("/console/reports", s.consoleGenerateReport)
	app.Get("/console/reports/:month", s.consoleReportDoc)
	app.Get("/console/unions", s.consoleUnionsPage)
	app.Post("/console/unions", s.consoleUnionCreate)
	app.Get("/console/unions/:id", s.consoleUnionPage)
	app.Post("/console/unions/:id/suspend", s.consoleUnionStatus(true))
	app.Post("/console/unions/:id/resume", s.consoleUnionStatus(false))
	app.Post("/console/unions/:id/export", s.consoleUnionExport)
	app.Post("/console/unions/:id/remove", s.consoleUnionRemove)
	app.Get("/console/accounts", s.consoleAccountsPage)
	app.Post("/console/accounts", s.consoleAccountCreate)
	app.Post("/console/accounts/:id/disable", s.consoleAccountSet(true))
	app.Post("/console/accounts/:id/enable", s.consoleAccountSet(false))
	api.Get("/platform/query-log", s.apiQueryLog)
	app.Get("/console/query-log", s.consoleQueryLogPage)

	// ── A worker's data rights (privacy.go) ─────────────────────────────
	api.Get("/me/export", s.apiExportMe)
	api.Post("/me/delete", s.apiDeleteMe)

	// ── The API's own description (openapi.go) ──────────────────────────
	api.Get("/openapi.json", s.serveOpenAPI())

	// ── Staff queue page (queue.go); its JSON is GET /api/v1/cases ──────
	app.Get("/staff/queue", s.queuePage)

	// ── Intake: webhooks (signed, no session), channel settings,
	// staff-assisted intake and transcripts (intake.go) ──────────────────
	app.Get("/webhooks/whatsapp", s.whatsAppHandshake)
	app.Post("/webhooks/whatsapp", s.whatsAppWebhook)
	app.Post("/webhooks/sms", s.smsWebhook)
	api.Get("/admin/channels/:channel", s.apiChannel)
	api.Put("/admin/channels/:channel", s.apiSetChannel)
	api.Put("/cases/:id/transcript", s.apiTranscript)
	api.Get("/cases/:id/intake", s.apiCaseIntake)
	api.Post("/staff/intake", s.apiAssistedIntake)
	app.Get("/staff/intake", s.assistedIntakePage)
	app.Post("/staff/intake", s.assistedIntakeSubmit)
	app.Post("/staff/cases/:id/transcript", s.transcriptSubmit)
	app.Get("/admin/intake-channels", s.intakeChannelsPage)
	app.Post("/admin/intake-channels/:channel", s.intakeChannelsSave)

	// ── Helping a worker in person: reset code, member check
	// (worker_account_pages.go) ──────────────────────────────────────────
	app.Get("/staff/workers/:id", s.workerAccountPage)
	app.Post("/staff/workers/:id/reset-code", s.workerResetCodeSubmit)
	app.Post("/staff/workers/:id/verify-member", s.workerVerifySubmit)

	// ── Brands: the union's directory, workplaces' default brands, the
	// reporter's consent, packets shared with a brand or certification body
	// by link (brands.go); the platform's view by brand (platform_brands.go)
	api.Get("/admin/brands", s.apiBrands)
	api.Post("/admin/brands", s.brandsAdd)
	api.Post("/admin/brands/merge", s.brandsMerge)
	api.Post("/admin/brands/:slug/retire", s.brandsRetire)
	api.Put("/admin/workplaces/:id/brands", s.brandsWorkplace)
	api.Put("/admin/settings/brand-packets", s.brandsPackets)
	api.Put("/cases/:id/brand-consent", s.apiBrandConsent)
	api.Get("/cases/:id/brand-shares", s.apiBrandShares)
	api.Post("/cases/:id/brand-shares", s.apiShareWithBrand)
	api.Post("/cases/:id/brand-shares/:share/revoke", s.brandShareRevoke)
	app.Get("/admin/brands", s.brandsPage)
	app.Post("/admin/brands", s.brandsAdd)
	app.Post("/admin/brands/retire", s.brandsRetire)
	app.Post("/admin/brands/merge", s.brandsMerge)
	app.Post("/admin/brands/packets", s.brandsPackets)
	app.Post("/admin/brands/workplaces/:id", s.brandsWorkplace)
	app.Post("/cases/:id/brand-consent", s.brandConsentSubmit)
	app.Get("/cases/:id/brand-shares", s.brandSharesPage)
	app.Post("/cases/:id/brand-shares", s.brandShareSubmit)
	app.Post("/cases/:id/brand-shares/:share/revoke", s.brandShareRevoke)
	app.Get("/shared/:token", s.sharedPacket)
	api.Get("/platform/brands", s.apiPlatformBrands)
	app.Get("/console/brands", s.consoleBrandsPage)
}
