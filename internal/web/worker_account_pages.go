package web

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
)

// The staff pages for helping a worker in person (issue 19): a reset code
// handed over on the spot, and the member check against the card. They
// call the same service methods as POST /api/v1/users/:id/password-reset-code
// and /verify-member — the same rights at the worker's branch, the same
// audit rows. Reached from the reporter panel of a case page and from the
// admins' worker list, wherever the viewer holds a right over the worker.

// workerAccountData is the worker account page.
type workerAccountData struct {
	W *auth.WorkerAccount
	// Code is a reset code just issued (shown once), Expires its end.
	Code    string
	Expires time.Time
	Notice  string
	Form    *form // the member check, kept on error
}

// workerAccountStaff is the signed-in staff member and the worker id of a
// worker account route.
func workerAccountStaff(c *fiber.Ctx) (*auth.Principal, uuid.UUID, error) {
	if _, err := tenantOnly(c); err != nil {
		return nil, uuid.Nil, err
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return nil, uuid.Nil, err
	}
	id, err := pathID(c, "id")
	return p, id, err
}

func (s *Server) renderWorkerAccount(c *fiber.Ctx, p *auth.Principal, id uuid.UUID, d workerAccountData, status int) error {
	w, err := s.auth.WorkerAccount(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	d.W = w
	if d.Form == nil {
		d.Form = &form{Values: auth.MemberCheck{}, Errors: map[string]string{}}
	}
	pg := s.page(c, "workers.title")
	pg.Data = d
	// A reset code is on the page once: not kept by any cache.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "staff_worker", pg)
}

func (s *Server) workerAccountPage(c *fiber.Ctx) error {
	p, id, err := workerAccountStaff(c)
	if err != nil {
		return err
	}
	d := workerAccountData{}
	if c.Query("done") == "verified" {
		d.Notice = translate(reqCtx(c).loc, "workers.verified_done")
	}
	return s.renderWorkerAccount(c, p, id, d, fiber.StatusOK)
}

// workerResetCodeSubmit issues an in-person reset code and shows it once
// (no redirect: the code is in this answer only).
func (s *Server) workerResetCodeSubmit(c *fiber.Ctx) error {
	p, id, err := workerAccountStaff(c)
	if err != nil {
		return err
	}
	code, exp, err := s.auth.StaffResetCode(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	return s.renderWorkerAccount(c, p, id, workerAccountData{Code: code, Expires: exp}, fiber.StatusCreated)
}

// workerVerifySubmit checks the member number typed from the card; a
// mismatch shows the page again with what was typed and why.
func (s *Server) workerVerifySubmit(c *fiber.Ctx) error {
	p, id, err := workerAccountStaff(c)
	if err != nil {
		return err
	}
	mc := auth.MemberCheck{MemberNumber: strings.Clone(c.FormValue("member_number"))}
	if _, err := s.auth.VerifyMember(c.UserContext(), p, id, mc); err != nil {
		f, status, ferr := s.formFailure(c, err, mc)
		if ferr != nil {
			return ferr
		}
		return s.renderWorkerAccount(c, p, id, workerAccountData{Form: f}, status)
	}
	return c.Redirect("/staff/workers/"+id.String()+"?done=verified", fiber.StatusSeeOther)
}

// mayHelpWorker reports whether p may act on the account of a case's
// reporter (shown: named, or revealed) — the staff case page links to the
// worker account page only then.
func (s *Server) mayHelpWorker(ctx context.Context, p *auth.Principal, reporter *cases.Identity) (bool, error) {
	if reporter == nil || reporter.UserID == uuid.Nil {
		return false, nil
	}
	canReset, canVerify, err := s.auth.WorkerRights(ctx, p, reporter.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil // a staff member's own report, a disabled account
	}
	return canReset || canVerify, err
}
