package cases

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Type is the intake type users know from SP4N-LAPOR!.
type Type string

const (
	TypeComplaint   Type = "complaint"
	TypeAspiration  Type = "aspiration"
	TypeInformation Type = "information"
)

// SafetyMode is how much of the reporter the union gets to know.
type SafetyMode string

const (
	// ModeNamed: handlers see who reported.
	ModeNamed SafetyMode = "named"
	// ModeConfidential: the identity is stored apart, encrypted, and shown
	// only to the assigned handler; anyone else must give a reason.
	ModeConfidential SafetyMode = "confidential"
	// ModeAnonymous: no account, no identity; a receipt code is the key.
	ModeAnonymous SafetyMode = "anonymous"
)

// Event visibilities.
const (
	VisibilityReporter = "reporter"
	VisibilityInternal = "internal"
)

// Event kinds written by filing and follow-up.
const (
	EventFiled            = "filed"
	EventMessage          = "message"
	EventEvidenceAdded    = "evidence_added"
	EventIdentityViewed   = "identity_viewed"
	EventIdentityRevealed = "identity_revealed"
	EventSupported        = "supported"
)

// Case is a row of cases.
type Case struct {
	bun.BaseModel `bun:"table:cases"`

	TenantID       uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	Reference      string     `bun:"reference"`
	Type           Type       `bun:"type"`
	Title          string     `bun:"title"`
	Description    string     `bun:"description"`
	Sector         string     `bun:"sector"`
	WorkplaceID    *uuid.UUID `bun:"workplace_id,type:uuid"`
	BranchID       uuid.UUID  `bun:"branch_id,type:uuid"`
	IncidentDate   *time.Time `bun:"incident_date,type:date"`
	CategoryID     *uuid.UUID `bun:"category_id,type:uuid"`
	Tags           []string   `bun:"tags,array"`
	Urgency        string     `bun:"urgency"`
	Status         Status     `bun:"status"`
	SafetyMode     SafetyMode `bun:"safety_mode"`
	ReporterUserID *uuid.UUID `bun:"reporter_user_id,type:uuid"`
	ReporterLookup []byte     `bun:"reporter_lookup"`
	ReceiptHash    []byte     `bun:"receipt_hash"`
	AssignedTo     *uuid.UUID `bun:"assigned_to,type:uuid"`
	AffectedCount  int        `bun:"affected_count"`
	Supporters     int        `bun:"supporters"`
	// Collective: the (named) reporter lets others join (similar.go).
	Collective       bool       `bun:"collective"`
	FirstResponseDue *time.Time `bun:"first_response_due"`
	ResolutionDue    *time.Time `bun:"resolution_due"`
	ResolvedAt       *time.Time `bun:"resolved_at"`
	// DeadlinesProvisional: the deadlines were counted past the end of the
	// holiday data (workday.Calendar.Provisional), without the movable
	// holidays not yet known. Not stored: Service.Provisional derives it.
	DeadlinesProvisional bool `bun:"-"`
	// Handling (migration 0005): see handling.go.
	DuplicateOf      *uuid.UUID `bun:"duplicate_of,type:uuid"`
	LinkedFrom       *uuid.UUID `bun:"linked_from,type:uuid"`
	InfoReturnStatus *string    `bun:"info_return_status"`
	ClosedAt         *time.Time `bun:"closed_at"`
	LowRating        bool       `bun:"low_rating"`
	// Intake (migration 20261206006000): see intake.go.
	IntakeChannel      string    `bun:"intake_channel,nullzero"`
	NeedsTranscription bool      `bun:"needs_transcription"`
	Transcript         string    `bun:"transcript"`
	ConsentNoted       *bool     `bun:"consent_noted"`
	CreatedAt          time.Time `bun:"created_at"`
	UpdatedAt          time.Time `bun:"updated_at"`

	// BranchPath is filled by queries that join branches: the Casbin domain.
	BranchPath string `bun:"branch_path,scanonly"`
	// restriction is filled by loadCase: who may see a restricted category.
	restriction *restriction

	// Context (migration 20261206007000): see context.go.
	Context
}

// eventRow is a row of case_events.
type eventRow struct {
	bun.BaseModel `bun:"table:case_events"`

	TenantID   uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	CaseID     uuid.UUID `bun:"case_id,pk,type:uuid"`
	Seq        int64     `bun:"seq,pk"`
	Kind       string    `bun:"kind"`
	ActorID    string    `bun:"actor_id"`
	Visibility string    `bun:"visibility"`
	Payload    string    `bun:"payload"`
	PrevHash   []byte    `bun:"prev_hash"`
	Hash       []byte    `bun:"hash"`
	CreatedAt  time.Time `bun:"created_at"`
}

func (e *eventRow) chained() ChainedEventWithHash {
	return ChainedEventWithHash{
		ChainedEvent: ChainedEvent{TenantID: e.TenantID, CaseID: e.CaseID, Seq: e.Seq, Kind: e.Kind,
			ActorID: e.ActorID, Visibility: e.Visibility, CreatedAt: e.CreatedAt, Payload: []byte(e.Payload)},
		PrevHash: e.PrevHash, Hash: e.Hash,
	}
}

// EvidenceFile is a row of evidence_files.
type EvidenceFile struct {
	bun.BaseModel `bun:"table:evidence_files"`

	TenantID     uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID           uuid.UUID `bun:"id,pk,type:uuid" json:"id"`
	CaseID       uuid.UUID `bun:"case_id,type:uuid" json:"-"`
	Kind         string    `bun:"kind" json:"kind"`
	MIME         string    `bun:"mime" json:"mime"`
	Size         int64     `bun:"size" json:"size"`
	StoredSHA256 string    `bun:"stored_sha256" json:"stored_sha256"`
	StorageKey   string    `bun:"storage_key" json:"-"`
	DisplayName  string    `bun:"display_name" json:"name"`
	Width        int       `bun:"width" json:"width,omitempty"`
	Height       int       `bun:"height" json:"height,omitempty"`
	UploadedBy   string    `bun:"uploaded_by" json:"uploaded_by"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
}

// Identity is who reported a named or confidential case.
type Identity struct {
	UserID uuid.UUID `json:"user_id"`
	Name   string    `json:"name"`
	Phone  string    `json:"phone,omitempty"`
}

// Event is a timeline entry as shown: Payload is the stored canonical JSON.
type Event struct {
	Seq        int64     `json:"seq"`
	Kind       string    `json:"kind"`
	Visibility string    `json:"visibility"`
	By         string    `json:"by"` // reporter | staff | system
	Payload    RawJSON   `json:"payload"`
	CreatedAt  time.Time `json:"created_at"`
}

// RawJSON is stored JSON passed through as is.
type RawJSON string

// MarshalJSON returns the stored bytes.
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("{}"), nil
	}
	return []byte(r), nil
}

// View is a case as one viewer may see it. Reporter is set only for a
// named case seen by staff, or a confidential one seen by its assigned
// handler; it is never set for the reporter's own view (they know) nor for
// anonymous cases (nobody knows).
type View struct {
	ID            uuid.UUID      `json:"id"`
	Reference     string         `json:"reference"`
	Type          Type           `json:"type"`
	Title         string         `json:"title"`
	Description   string         `json:"description"`
	Sector        string         `json:"sector,omitempty"`
	WorkplaceID   *uuid.UUID     `json:"workplace_id,omitempty"`
	Workplace     string         `json:"workplace,omitempty"`
	IncidentDate  string         `json:"incident_date,omitempty"`
	Category      string         `json:"category,omitempty"` // slug
	Urgency       string         `json:"urgency"`
	Status        Status         `json:"status"`
	SafetyMode    SafetyMode     `json:"safety_mode"`
	AffectedCount int            `json:"affected_count"`
	Supporters    int            `json:"supporters"`
	CreatedAt     time.Time      `json:"created_at"`
	Reporter      *Identity      `json:"reporter,omitempty"`
	Events        []Event        `json:"events"`
	Evidence      []EvidenceFile `json:"evidence"`
	// Deadlines (staff views only). DeadlinesProvisional says they were
	// counted past the end of the holiday data and may move earlier once
	// the missing movable holidays are added (workday.Calendar.Provisional).
	FirstResponseDue     *time.Time `json:"first_response_due,omitempty"`
	ResolutionDue        *time.Time `json:"resolution_due,omitempty"`
	DeadlinesProvisional bool       `json:"deadlines_provisional,omitempty"`
	// AsReporter tells pages which view this is.
	AsReporter bool `json:"-"`
	// Assigned is whether the viewer is the case's assigned handler.
	Assigned bool `json:"-"`
}

// Summary is a case in a list.
type Summary struct {
	ID         uuid.UUID  `json:"id"`
	Reference  string     `json:"reference"`
	Type       Type       `json:"type"`
	Title      string     `json:"title"`
	Status     Status     `json:"status"`
	SafetyMode SafetyMode `json:"safety_mode"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Filed is what filing returns. ReceiptCode is set for anonymous cases
// only, and only here: it is never stored or shown again.
type Filed struct {
	ID          uuid.UUID `json:"id"`
	Reference   string    `json:"reference"`
	Status      Status    `json:"status"`
	ReceiptCode string    `json:"receipt_code,omitempty"`
}

// Field returns a string field of the event's payload ("" when absent), for
// templates: a message's "body", a reveal's "reason".
func (e Event) Field(name string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Payload), &m); err != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}
