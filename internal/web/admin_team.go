package web

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/notify"
	"github.com/suara-id/suara/internal/tenant"
)

// staffOf returns the request's tenant and signed-in staff member.
func staffOf(c *fiber.Ctx) (*tenant.Tenant, *auth.Principal, error) {
	t, err := tenantOnly(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return nil, nil, err
	}
	return t, p, nil
}

// sendInvite sends an invite's link through the union's channel: email for
// an email invite, SMS (else WhatsApp) for a phone one. It reports the
// outcome in the words of notify.TestResult.
func (s *Server) sendInvite(ctx context.Context, t *tenant.Tenant, inv *auth.Invite, tok string) string {
	if s.notify == nil {
		return "not_configured"
	}
	link := s.notify.Link(t.Slug, "/invite/"+tok)
	subj, body := notify.InviteMessage(t.AppName, link, t.DefaultLocale)
	chans, to := []notify.Channel{notify.ChannelEmail}, inv.Email
	if inv.Phone != nil {
		chans, to = []notify.Channel{notify.ChannelSMS, notify.ChannelWhatsApp}, *inv.Phone
	}
	result := "not_configured"
	for _, ch := range chans {
		res, err := s.notify.SendDirect(ctx, t.ID, ch, to, subj, body, t.DefaultLocale)
		if err != nil {
			s.log.Warn("send invite", "err", err)
			return "failed"
		}
		if result = res.Result; result != "not_configured" {
			break
		}
	}
	return result
}

func (s *Server) apiPendingInvites(c *fiber.Ctx) error {
	_, p, err := staffOf(c)
	if err != nil {
		return err
	}
	list, err := s.auth.PendingInvites(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"invites": list})
}

func (s *Server) apiRevokeInvite(c *fiber.Ctx) error {
	_, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.auth.RevokeInvite(c.UserContext(), p, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiResendInvite(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	inv, tok, sent, err := s.resendInvite(c, t, p, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"invite": inv, "url": s.inviteURL(t, tok), "sent": sent})
}

// resendInvite makes invite id a new link and sends it; sent says how the
// sending went (see sendInvite).
func (s *Server) resendInvite(c *fiber.Ctx, t *tenant.Tenant, p *auth.Principal, id uuid.UUID) (*auth.Invite, string, string, error) {
	inv, tok, err := s.auth.ResendInvite(c.UserContext(), p, id)
	if err != nil {
		return nil, "", "", err
	}
	return inv, tok, s.sendInvite(c.UserContext(), t, inv, tok), nil
}

// inviteURL is the address an invite's token opens.
func (s *Server) inviteURL(t *tenant.Tenant, tok string) string {
	return s.tenantURL(t) + "/invite/" + tok
}

func (s *Server) apiRoutingRules(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	list, err := s.cases.RoutingRules(c.UserContext(), t.ID, p, t.Slug)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": list})
}

func (s *Server) apiDeleteRoutingRule(c *fiber.Ctx) error {
	if err := s.deleteRoutingRule(c); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// deleteRoutingRule deletes the rule the path names, for the API and the
// routing page.
func (s *Server) deleteRoutingRule(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.cases.DeleteRoutingRule(c.UserContext(), t.ID, p, t.Slug, id)
}

func (s *Server) apiStaffConflicts(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	list, err := s.cases.StaffConflicts(c.UserContext(), t.ID, p, t.Slug)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"conflicts": list})
}

func (s *Server) apiDeleteStaffConflict(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	uid, err := pathID(c, "user")
	if err != nil {
		return err
	}
	wid, err := pathID(c, "workplace")
	if err != nil {
		return err
	}
	if err := s.cases.DeleteStaffConflict(c.UserContext(), t.ID, p, t.Slug, uid, wid); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiTestMessage(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if s.notify == nil {
		return fiber.ErrNotFound
	}
	var body struct {
		Channel string `json:"channel"`
		To      string `json:"to"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	res, err := s.notify.SendTest(c.UserContext(), t.ID, p, t.Slug, notify.Channel(body.Channel), body.To, t.AppName, reqCtx(c).Locale)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"result": res.Result, "status": res.Status,
		"message": translate(reqCtx(c).loc, "channels.result."+res.Result)})
}

// ---- pages ----

type teamData struct {
	Staff    []auth.StaffMember
	Invites  []auth.PendingInvite
	Branches []tenant.Branch
	Roles    []string
	Invite   auth.StaffInvite
	Give     auth.RoleRequest
	Errors   map[string]string
	Error    string
	Done     string
	Sent     string
	Link     string
	// Fed is set for those who may open the union-wide pages.
	Fed bool
}

// manageableBranches are the open branches where p may invite staff.
func (s *Server) manageableBranches(ctx context.Context, t *tenant.Tenant, p *auth.Principal) ([]tenant.Branch, error) {
	all, err := s.admin.BranchDirectory(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	out := []tenant.Branch{}
	for _, b := range all {
		if b.ClosedAt == nil && s.authz.Check(ctx, p, b.Path, "staff", "invite") == nil {
			out = append(out, b)
		}
	}
	return out, nil
}

func (s *Server) teamPage(c *fiber.Ctx) error {
	return s.renderTeam(c, fiber.StatusOK, nil, nil)
}

func (s *Server) renderTeam(c *fiber.Ctx, status int, f *form, fill func(*teamData)) error {
	t, p, err := staffOf(c)
	if err != nil {
		if errors.Is(err, apperr.ErrUnauthorized) {
			return c.Redirect("/login", fiber.StatusSeeOther)
		}
		return err
	}
	ctx := c.UserContext()
	invites, err := s.auth.PendingInvites(ctx, p)
	if err != nil {
		return err
	}
	staff, err := s.auth.Staff(ctx, p)
	if err != nil {
		return err
	}
	branches, err := s.manageableBranches(ctx, t, p)
	if err != nil {
		return err
	}
	d := &teamData{Staff: staff, Invites: invites, Branches: branches, Roles: []string{"case_officer", "branch_admin", "federation_admin"},
		Errors: map[string]string{}, Done: c.Query("done"), Fed: s.authz.Check(ctx, p, t.Slug, "tenant_settings", "update") == nil}
	if fill != nil {
		fill(d)
	}
	if f != nil {
		d.Errors, d.Error, d.Done = f.Errors, f.Error, ""
	}
	pg := s.page(c, "team.title")
	pg.Data = d
	return s.render(c, status, "admin_team", pg)
}

// teamFailed shows the team page again with a service error on its form.
func (s *Server) teamFailed(c *fiber.Ctx, err error, fill func(*teamData)) error {
	f, status, ferr := s.formFailure(c, err, nil)
	if ferr != nil {
		return ferr
	}
	return s.renderTeam(c, status, f, fill)
}

func (s *Server) teamInvite(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	in := auth.StaffInvite{Email: strings.Clone(c.FormValue("email")), Phone: strings.Clone(c.FormValue("phone")),
		Role: strings.Clone(c.FormValue("role")), BranchID: strings.Clone(c.FormValue("branch_id"))}
	if strings.TrimSpace(in.Email) == "" && strings.TrimSpace(in.Phone) == "" {
		return s.teamFailed(c, apperr.Invalid("email", "error.email_or_phone"), func(d *teamData) { d.Invite = in })
	}
	inv, tok, err := s.auth.InviteStaff(c.UserContext(), p, in)
	if err != nil {
		return s.teamFailed(c, err, func(d *teamData) { d.Invite = in })
	}
	return s.teamInviteSent(c, fiber.StatusCreated, t, "invited", s.sendInvite(c.UserContext(), t, inv, tok), tok)
}

// teamInviteSent shows the team page after an invite went out (done) and
// how its sending went; an undelivered invite's link is shown for the
// admin to hand over (it works once).
func (s *Server) teamInviteSent(c *fiber.Ctx, status int, t *tenant.Tenant, done, sent, tok string) error {
	return s.renderTeam(c, status, nil, func(d *teamData) {
		d.Done, d.Sent = done, sent
		if sent != "sent" {
			d.Link = s.inviteURL(t, tok)
		}
	})
}

func (s *Server) teamInviteAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t, p, err := staffOf(c)
		if err != nil {
			return err
		}
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		if action == "revoked" {
			if err := s.auth.RevokeInvite(c.UserContext(), p, id); err != nil {
				return err
			}
			return c.Redirect("/admin/team?done=revoked", fiber.StatusSeeOther)
		}
		_, tok, sent, err := s.resendInvite(c, t, p, id)
		if err != nil {
			return err
		}
		return s.teamInviteSent(c, fiber.StatusOK, t, "resent", sent, tok)
	}
}

func (s *Server) teamRoleGive(c *fiber.Ctx) error {
	_, p, err := staffOf(c)
	if err != nil {
		return err
	}
	in := auth.RoleRequest{UserID: strings.Clone(c.FormValue("user_id")), Role: strings.Clone(c.FormValue("role")), BranchID: strings.Clone(c.FormValue("branch_id"))}
	if _, err := s.auth.AssignRole(c.UserContext(), p, in); err != nil {
		return s.teamFailed(c, err, func(d *teamData) { d.Give = in })
	}
	return c.Redirect("/admin/team?done=role_given", fiber.StatusSeeOther)
}

func (s *Server) teamRoleRemove(c *fiber.Ctx) error {
	_, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.auth.RevokeRole(c.UserContext(), p, id); err != nil {
		return err
	}
	return c.Redirect("/admin/team?done=role_removed", fiber.StatusSeeOther)
}

// ---- routing rules and conflicts of interest ----

type routingData struct {
	Rules      []cases.RoutingRuleRow
	Conflicts  []cases.StaffConflict
	Categories []tenant.AdminCategory
	Workplaces []tenant.Workplace
	Branches   []tenant.Branch
	Staff      []auth.StaffMember
	Errors     map[string]string
	Error      string
	Done       string
}

func (s *Server) routingPage(c *fiber.Ctx) error {
	return s.renderRouting(c, fiber.StatusOK, nil)
}

func (s *Server) renderRouting(c *fiber.Ctx, status int, f *form) error {
	t, p, err := staffOf(c)
	if err != nil {
		if errors.Is(err, apperr.ErrUnauthorized) {
			return c.Redirect("/login", fiber.StatusSeeOther)
		}
		return err
	}
	ctx := c.UserContext()
	d := &routingData{Errors: map[string]string{}, Done: c.Query("done")}
	if d.Rules, err = s.cases.RoutingRules(ctx, t.ID, p, t.Slug); err != nil {
		return err
	}
	if d.Conflicts, err = s.cases.StaffConflicts(ctx, t.ID, p, t.Slug); err != nil {
		return err
	}
	if d.Categories, err = s.admin.Categories(ctx, t, p); err != nil {
		return err
	}
	if d.Workplaces, err = s.admin.AdminWorkplaces(ctx, t, p); err != nil {
		return err
	}
	if d.Branches, err = s.admin.Branches(ctx, t, p); err != nil {
		return err
	}
	if d.Staff, err = s.auth.Staff(ctx, p); err != nil {
		return err
	}
	if f != nil {
		d.Errors, d.Error, d.Done = f.Errors, f.Error, ""
	}
	pg := s.page(c, "routing.title")
	pg.Data = d
	return s.render(c, status, "admin_routing", pg)
}

func (s *Server) routingDone(c *fiber.Ctx, err error, done string) error {
	if err == nil {
		return c.Redirect("/admin/routing?done="+done, fiber.StatusSeeOther)
	}
	f, status, ferr := s.formFailure(c, err, nil)
	if ferr != nil {
		return ferr
	}
	return s.renderRouting(c, status, f)
}

// formUUID reads an optional uuid field: "" is nil, anything else must
// parse.
func formUUID(c *fiber.Ctx, name string, v *apperr.Validation) *uuid.UUID {
	raw := strings.TrimSpace(c.FormValue(name))
	if raw == "" {
		return nil
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		v.Add(name, "error.invalid_choice")
		return nil
	}
	return &id
}

func (s *Server) routingRuleAdd(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	v := &apperr.Validation{}
	r := cases.RoutingRule{CategoryID: formUUID(c, "category_id", v), WorkplaceID: formUUID(c, "workplace_id", v),
		BranchID: formUUID(c, "branch_id", v), OfficerID: formUUID(c, "officer_id", v), Priority: 100}
	if raw := strings.TrimSpace(c.FormValue("priority")); raw != "" {
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 0 || n > 10000 {
			v.Add("priority", "error.invalid")
		}
		r.Priority = n
	}
	if err := v.Err(); err != nil {
		return s.routingDone(c, err, "")
	}
	_, err = s.cases.AddRoutingRule(c.UserContext(), t.ID, p, t.Slug, r)
	return s.routingDone(c, err, "rule_added")
}

func (s *Server) routingRuleDelete(c *fiber.Ctx) error {
	if err := s.deleteRoutingRule(c); err != nil {
		return err
	}
	return c.Redirect("/admin/routing?done=rule_deleted", fiber.StatusSeeOther)
}

func (s *Server) conflictAdd(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	v := &apperr.Validation{}
	uid, wid := formUUID(c, "user_id", v), formUUID(c, "workplace_id", v)
	if uid == nil && v.Fields["user_id"] == "" {
		v.Add("user_id", "error.required")
	}
	if wid == nil && v.Fields["workplace_id"] == "" {
		v.Add("workplace_id", "error.required")
	}
	reason := strings.Clone(c.FormValue("reason"))
	if len(reason) > 500 {
		v.Add("reason", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return s.routingDone(c, err, "")
	}
	err = s.cases.AddStaffConflict(c.UserContext(), t.ID, p, t.Slug, *uid, *wid, reason)
	return s.routingDone(c, err, "conflict_added")
}

func (s *Server) conflictDelete(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	v := &apperr.Validation{}
	uid, wid := formUUID(c, "user_id", v), formUUID(c, "workplace_id", v)
	if uid == nil || wid == nil {
		return apperr.ErrNotFound
	}
	if err := s.cases.DeleteStaffConflict(c.UserContext(), t.ID, p, t.Slug, *uid, *wid); err != nil {
		return err
	}
	return c.Redirect("/admin/routing?done=conflict_deleted", fiber.StatusSeeOther)
}

// ---- notification channels ----

type channelsData struct {
	Settings *notify.Settings
	Errors   map[string]string
	Error    string
	Saved    bool
	Test     *notify.TestResult
	TestTo   string
	TestCh   string
	Channels []notify.Channel
	Domains  []string
}

func (s *Server) channelsPage(c *fiber.Ctx) error {
	return s.renderChannels(c, fiber.StatusOK, nil, nil, nil)
}

func (s *Server) renderChannels(c *fiber.Ctx, status int, f *form, sent *notify.Settings, fill func(*channelsData)) error {
	t, p, err := staffOf(c)
	if err != nil {
		if errors.Is(err, apperr.ErrUnauthorized) {
			return c.Redirect("/login", fiber.StatusSeeOther)
		}
		return err
	}
	if s.notify == nil {
		return fiber.ErrNotFound
	}
	st, err := s.notify.Settings(c.UserContext(), t.ID, p, t.Slug)
	if err != nil {
		return err
	}
	if sent != nil {
		sent.GatewayToken = ""
		st = sent
	}
	d := &channelsData{Settings: st, Errors: map[string]string{}, Saved: c.Query("saved") != "", Channels: notify.TestChannels,
		Domains: notify.SenderDomains(s.cfg.Notify.SenderDomains, t.Slug)}
	if fill != nil {
		fill(d)
	}
	if f != nil {
		d.Errors, d.Error, d.Saved = f.Errors, f.Error, false
	}
	pg := s.page(c, "channels.title")
	pg.Data = d
	return s.render(c, status, "admin_channels", pg)
}

func (s *Server) channelsSave(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if s.notify == nil {
		return fiber.ErrNotFound
	}
	cur, err := s.notify.Settings(c.UserContext(), t.ID, p, t.Slug)
	if err != nil {
		return err
	}
	v := &apperr.Validation{}
	in := *cur
	in.EmailEnabled = formBox(c, "email_enabled", v)
	in.SMSEnabled = formBox(c, "sms_enabled", v)
	in.WhatsAppEnabled = formBox(c, "whatsapp_enabled", v)
	in.SenderName = strings.Clone(c.FormValue("sender_name"))
	in.SenderEmail = strings.Clone(c.FormValue("sender_email"))
	in.GatewayURL = strings.Clone(c.FormValue("gateway_url"))
	in.GatewayToken = strings.Clone(c.FormValue("gateway_token"))
	hour := func(name string, dst *int) {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
		if err != nil {
			v.Add(name, "error.invalid")
			return
		}
		*dst = n
	}
	hour("quiet_start", &in.QuietStart)
	hour("quiet_end", &in.QuietEnd)
	err = v.Err()
	if err == nil {
		_, err = s.notify.SaveSettings(c.UserContext(), t.ID, p, t.Slug, in)
	}
	if err == nil {
		return c.Redirect("/admin/channels?saved=1", fiber.StatusSeeOther)
	}
	f, status, ferr := s.formFailure(c, err, nil)
	if ferr != nil {
		return ferr
	}
	return s.renderChannels(c, status, f, &in, nil)
}

// channelsTest sends a test message with the stored settings and shows
// what happened in plain words (never an address or a network error).
func (s *Server) channelsTest(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if s.notify == nil {
		return fiber.ErrNotFound
	}
	ch, to := strings.Clone(c.FormValue("channel")), strings.Clone(c.FormValue("to"))
	res, err := s.notify.SendTest(c.UserContext(), t.ID, p, t.Slug, notify.Channel(ch), to, t.AppName, reqCtx(c).Locale)
	if err != nil {
		f, status, ferr := s.formFailure(c, err, nil)
		if ferr != nil {
			return ferr
		}
		return s.renderChannels(c, status, f, nil, func(d *channelsData) { d.TestTo, d.TestCh = to, ch })
	}
	return s.renderChannels(c, fiber.StatusOK, nil, nil, func(d *channelsData) { d.Test, d.TestTo, d.TestCh = res, to, ch })
}
