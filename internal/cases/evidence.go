package cases

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
)

// TooManyFilesError refuses a file beyond the per-case maximum. It carries
// a stable code like the evidence package's refusals.
type TooManyFilesError struct{ Max int }

func (e *TooManyFilesError) Error() string {
	return fmt.Sprintf("case already holds the maximum of %d evidence files", e.Max)
}

// Code returns "evidence.too_many_files".
func (e *TooManyFilesError) Code() string { return "evidence.too_many_files" }

// TypeMismatchError refuses a file whose bytes are of another kind than
// its name or declared type says: a "report.pdf" that is a JPEG. The bytes
// alone decide what a file is, but a client that says one thing and sends
// another is broken or smuggling, and the reporter is better told than
// surprised later by a photo where a document was meant.
type TypeMismatchError struct{ Declared, Detected evidence.Kind }

func (e *TypeMismatchError) Error() string {
	return fmt.Sprintf("declared %s but the content is a %s", e.Declared, e.Detected)
}

// Code returns "evidence.type_mismatch".
func (e *TypeMismatchError) Code() string { return "evidence.type_mismatch" }

// DeclaredKind is the evidence kind a file name or MIME type claims, ""
// when they claim nothing specific (application/octet-stream, no
// extension). The MIME type wins when both speak.
func DeclaredKind(name, mimeType string) evidence.Kind {
	mt := strings.ToLower(strings.TrimSpace(mimeType))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	switch {
	case strings.HasPrefix(mt, "image/"):
		return evidence.KindPhoto
	case strings.HasPrefix(mt, "video/"):
		return evidence.KindVideo
	case strings.HasPrefix(mt, "audio/"):
		return evidence.KindAudio
	case mt == "application/pdf", strings.Contains(mt, "officedocument"), strings.Contains(mt, "opendocument"), mt == "application/msword":
		return evidence.KindDocument
	}
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, "\\", "/"))) {
	case ".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif":
		return evidence.KindPhoto
	case ".mp4", ".3gp", ".webm", ".mov":
		return evidence.KindVideo
	case ".m4a", ".aac", ".ogg", ".opus", ".mp3", ".amr":
		return evidence.KindAudio
	case ".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp":
		return evidence.KindDocument
	}
	return ""
}

// ErrCaseClosed refuses new evidence on a case that reached a final status.
var ErrCaseClosed = fmt.Errorf("case is closed: %w", apperr.ErrConflict)

// finder locates the case an upload is for and says who uploads.
type finder func(ctx context.Context, tx bun.Tx) (c *Case, by string, err error)

// AddEvidence attaches a file to a case, for its reporter or for staff who
// may add evidence at its branch. name is the client's file name, used
// only to check it against the content (see DeclaredKind) and never kept. Refusals (type, size, damage, count) are coded errors (see
// evidence.Code) and leave no row and no file behind.
func (s *Service) AddEvidence(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, caseID uuid.UUID, name, declared string, r io.Reader) (*EvidenceFile, error) {
	find := func(ctx context.Context, tx bun.Tx) (*Case, string, error) {
		c, rl, err := s.caseAs(ctx, tx, p, caseID, loadCase)
		if err != nil {
			return nil, "", err
		}
		if rl == roleReporter {
			return c, "reporter", nil
		}
		if err := s.authz.Check(ctx, p, c.BranchPath, "evidence", "create"); err != nil {
			return nil, "", err
		}
		return c, "staff", nil
	}
	return s.attach(ctx, tenantID, find, false, name, declared, r)
}

// AddEvidenceByReceipt attaches a file for an anonymous reporter.
func (s *Service) AddEvidenceByReceipt(ctx context.Context, tenantID uuid.UUID, token, name, declared string, r io.Reader) (*EvidenceFile, error) {
	find := func(ctx context.Context, tx bun.Tx) (*Case, string, error) {
		c, err := s.caseBySession(ctx, tx, tenantID, token)
		return c, "reporter", err
	}
	return s.attach(ctx, tenantID, find, true, name, declared, r)
}

func (s *Service) attach(ctx context.Context, tenantID uuid.UUID, find finder, floor bool, name, declared string, r io.Reader) (*EvidenceFile, error) {
	// First look: refuse before receiving anything when the case is not
	// there, not the caller's, closed or full.
	check := func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, _, err := find(ctx, tx)
			if err != nil {
				return err
			}
			_, err = s.roomFor(ctx, tx, c)
			return err
		})
	}
	var err error
	if floor {
		err = s.sessionCall(ctx, check)
	} else {
		err = check()
	}
	if err != nil {
		return nil, fmt.Errorf("add evidence: %w", err)
	}
	// Receive and check the file with no transaction open: a slow upload
	// must not hold a connection or a lock.
	cl := *s.Cleaner
	if s.TmpDir != "" {
		cl.TmpDir = s.TmpDir
	}
	up, err := cl.Ingest(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("add evidence: %w", err)
	}
	defer func() {
		if cerr := up.Cleanup(); cerr != nil {
			s.log.Warn("evidence temp file", "err", cerr)
		}
	}()
	if k := DeclaredKind(name, declared); k != "" && k != up.Kind {
		return nil, fmt.Errorf("add evidence: %w", &TypeMismatchError{Declared: k, Detected: up.Kind})
	}
	var row *EvidenceFile
	storedKey := ""
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, by, err := find(ctx, tx)
		if err != nil {
			return err
		}
		// Lock the case so two uploads cannot both take the last place.
		if _, err := tx.ExecContext(ctx, "SELECT 1 FROM cases WHERE id = ? FOR UPDATE", c.ID); err != nil {
			return fmt.Errorf("lock case: %w", err)
		}
		n, err := s.roomFor(ctx, tx, c)
		if err != nil {
			return err
		}
		at, err := stampAfter(ctx, tx, "evidence_files", c.ID, s.stampFor(c))
		if err != nil {
			return err
		}
		st, err := up.Store(ctx, s.store, tenantID.String())
		if err != nil {
			return err
		}
		storedKey = st.Key
		// The uploaded name ("CV Siti Rahayu.docx", "IMG_20260112_083015.jpg")
		// is never kept: the file is "bukti-<n>" with the extension of what
		// its bytes are.
		row = &EvidenceFile{TenantID: tenantID, ID: uuid.New(), CaseID: c.ID, Kind: string(st.Kind), MIME: st.MIME,
			Size: st.Size, StoredSHA256: st.StoredSHA256,
			StorageKey: st.Key, DisplayName: NeutralName(n+1, st.Ext), Width: st.Width, Height: st.Height,
			UploadedBy: by, CreatedAt: at}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		_, err = s.addEvent(ctx, tx, c, EventEvidenceAdded, "", VisibilityReporter, map[string]any{
			"by": by, "evidence_id": row.ID, "kind": row.Kind, "name": row.DisplayName, "sha256": row.StoredSHA256})
		return err
	})
	if err != nil {
		if storedKey != "" {
			s.dropIfUnused(tenantID, storedKey)
		}
		return nil, fmt.Errorf("add evidence: %w", err)
	}
	s.Metrics.EvidenceStored(row.Size)
	return row, nil
}

// roomFor refuses evidence on a closed case or one already at the maximum,
// counted in the database so every replica agrees, and returns how many
// files the case holds.
func (s *Service) roomFor(ctx context.Context, tx bun.Tx, c *Case) (int, error) {
	if IsFinal(c.Status) {
		return 0, ErrCaseClosed
	}
	n, err := tx.NewSelect().Table("evidence_files").Where("case_id = ?", c.ID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count evidence: %w", err)
	}
	if n >= int64(s.MaxFiles) {
		return 0, &TooManyFilesError{Max: s.MaxFiles}
	}
	return int(n), nil
}

// NeutralName is the name evidence file n of a case is shown and
// downloaded under: "bukti-1.pdf" ("bukti" is Indonesian for evidence).
func NeutralName(n int, ext string) string {
	return fmt.Sprintf("bukti-%d%s", n, ext)
}

// dropIfUnused deletes stored content no row refers to (content addresses
// are shared by identical files within a tenant). It runs after a failed
// transaction, so it must not use the request's context, which may be the
// reason the transaction failed.
func (s *Service) dropIfUnused(tenantID uuid.UUID, key string) {
	ctx := context.Background()
	var used bool
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM evidence_files WHERE storage_key = ?)", key).Scan(&used)
	})
	if err != nil {
		s.log.Error("evidence cleanup: check references", "err", err)
		return
	}
	if !used {
		if err := s.store.Delete(ctx, key); err != nil {
			s.log.Error("evidence cleanup: delete", "err", err)
		}
	}
}

// OpenEvidence returns an evidence file's record and content for the case's
// reporter or staff who may read evidence at its branch.
func (s *Service) OpenEvidence(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, caseID, fileID uuid.UUID) (*EvidenceFile, io.ReadCloser, error) {
	var f *EvidenceFile
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, rl, err := s.caseAs(ctx, tx, p, caseID, loadCase)
		if err != nil {
			return err
		}
		if rl == roleStaff {
			if err := s.authz.Check(ctx, p, c.BranchPath, "evidence", "read"); err != nil {
				return apperr.ErrNotFound
			}
		}
		f, err = evidenceRow(ctx, tx, caseID, fileID)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("open evidence: %w", err)
	}
	return s.openContent(ctx, f)
}

// OpenEvidenceByReceipt is OpenEvidence for an anonymous reporter.
func (s *Service) OpenEvidenceByReceipt(ctx context.Context, tenantID uuid.UUID, token string, fileID uuid.UUID) (*EvidenceFile, io.ReadCloser, error) {
	var f *EvidenceFile
	err := s.sessionCall(ctx, func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, err := s.caseBySession(ctx, tx, tenantID, token)
			if err != nil {
				return err
			}
			f, err = evidenceRow(ctx, tx, c.ID, fileID)
			return err
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("open evidence: %w", err)
	}
	return s.openContent(ctx, f)
}

func evidenceRow(ctx context.Context, tx bun.Tx, caseID, fileID uuid.UUID) (*EvidenceFile, error) {
	f := &EvidenceFile{}
	if err := tx.NewSelect().Model(f).Where("case_id = ? AND id = ?", caseID, fileID).Scan(ctx); err != nil {
		return nil, db.MapError(err)
	}
	return f, nil
}

func (s *Service) openContent(ctx context.Context, f *EvidenceFile) (*EvidenceFile, io.ReadCloser, error) {
	rc, err := s.store.Open(ctx, f.StorageKey)
	if errors.Is(err, evidence.ErrNotFound) {
		return nil, nil, fmt.Errorf("evidence content missing: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open evidence content: %w", err)
	}
	return f, rc, nil
}
