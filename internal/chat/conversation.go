package chat

import (
	"strings"
	"unicode/utf8"
)

// Conversation states. A session starts in stateType (WhatsApp) or
// stateDescribe (SMS, fewer steps) and is deleted when the case is filed
// or the worker cancels.
const (
	stateType     = "type"
	stateDescribe = "describe"
	stateMode     = "mode"
	stateConfirm  = "confirm"
	stateFiling   = "filing"
)

// Media is an attachment a worker sent, kept by the provider's media id
// until filing (WhatsApp keeps media for 30 days).
type Media struct {
	ID       string `json:"id"`
	MIME     string `json:"mime"`
	Kind     string `json:"kind"` // image | audio | video | document
	Filename string `json:"filename,omitempty"`
}

// Inbound is one message from a worker, whatever the provider.
type Inbound struct {
	ID     string // provider message id (idempotency key)
	From   string // sender address: WhatsApp wa_id or an SMS number
	Name   string // profile name, when the provider gives one
	At     int64  // unix seconds
	Text   string // text, caption, or the title of an interactive reply
	Choice string // interactive reply id
	Media  *Media
}

// session is what a conversation keeps until filing; sealed in its row.
type session struct {
	From    string   `json:"from"`
	Name    string   `json:"name,omitempty"`
	Locale  string   `json:"locale"`
	Type    string   `json:"type,omitempty"`
	Texts   []string `json:"texts,omitempty"`
	Media   []Media  `json:"media,omitempty"`
	Mode    string   `json:"mode,omitempty"`
	Channel string   `json:"channel"`
}

// policy is what a step needs to know of the union.
type policy struct {
	union        string
	allowAnon    bool
	canHaveName  bool // the sender's number can hold an account (Indonesian mobile)
	minDescRunes int
}

// outcome is what a step decided.
type outcome struct {
	state   string
	replies []string
	file    bool // hand the session to the filing job
	cancel  bool // delete the session
	content bool // the worker added to the description (restart the quiet timer)
}

// words the worker may type, in both languages.
var (
	wordsDone    = []string{"selesai", "done", "sudah", "finish", "finished", "kirim"}
	wordsYes     = []string{"ya", "yes", "y", "ok", "oke", "kirim", "send"}
	wordsCancel  = []string{"batal", "cancel", "stop"}
	wordsEnglish = []string{"en", "english", "inggris"}
	wordsIndo    = []string{"id", "indonesia", "bahasa", "indo"}
)

func is(s string, words []string) bool {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), ".!"))
	for _, w := range words {
		if s == w {
			return true
		}
	}
	return false
}

// choice is the answer to a menu: an interactive reply's id, else the text.
func (in Inbound) choice() string {
	if in.Choice != "" {
		return strings.ToLower(in.Choice)
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(in.Text), ".!"))
}

func typeOf(c string) string {
	switch c {
	case "1", "pengaduan", "complaint", "aduan", "type_complaint":
		return "complaint"
	case "2", "aspirasi", "aspiration", "usulan", "type_aspiration":
		return "aspiration"
	case "3", "pertanyaan", "question", "tanya", "informasi", "type_information":
		return "information"
	}
	return ""
}

func modeOf(c string) string {
	switch c {
	case "1", "bernama", "named", "nama", "mode_named":
		return "named"
	case "2", "rahasia", "confidential", "mode_confidential":
		return "confidential"
	case "3", "anonim", "anonymous", "anonymous_mode", "mode_anonymous":
		return "anonymous"
	}
	return ""
}

// start opens a conversation with its first message.
func start(s *session, pol policy, in Inbound) outcome {
	if is(in.Text, wordsEnglish) {
		s.Locale = "en"
	}
	greet := say(s.Locale, "greet", "union", pol.union)
	if s.Channel == "sms" {
		// SMS: fewer steps. A first message long enough is the story.
		if t := strings.TrimSpace(in.Text); utf8.RuneCountInString(t) >= pol.minDescRunes {
			s.Type, s.Texts = "complaint", []string{t}
			return outcome{state: stateMode, replies: []string{greet, say(s.Locale, "ask_mode_sms")}}
		}
		s.Type = "complaint"
		return outcome{state: stateDescribe, replies: []string{greet, say(s.Locale, "ask_describe")}}
	}
	return outcome{state: stateType, replies: []string{greet, say(s.Locale, "ask_type")}}
}

// step advances a conversation by one message. It is pure: the caller
// loads and stores the session and sends the replies.
func step(state string, s *session, pol policy, in Inbound) outcome {
	text := strings.TrimSpace(in.Text)
	switch {
	case in.Media == nil && is(text, wordsCancel):
		return outcome{cancel: true, replies: []string{say(s.Locale, "cancelled")}}
	case in.Media == nil && state != stateDescribe && is(text, wordsEnglish):
		s.Locale = "en"
		return outcome{state: state, replies: []string{prompt(state, s, pol)}}
	case in.Media == nil && state != stateDescribe && is(text, wordsIndo):
		s.Locale = "id"
		return outcome{state: state, replies: []string{prompt(state, s, pol)}}
	}
	switch state {
	case stateType:
		if t := typeOf(in.choice()); t != "" {
			s.Type = t
			return outcome{state: stateDescribe, replies: []string{say(s.Locale, "ask_describe")}}
		}
		return outcome{state: state, replies: []string{say(s.Locale, "ask_type")}}
	case stateDescribe:
		if in.Media == nil && is(text, wordsDone) {
			return finishDescribe(s, pol)
		}
		if in.Media != nil {
			if s.Channel == "sms" {
				return outcome{state: state, replies: []string{say(s.Locale, "ask_describe")}}
			}
			s.Media = append(s.Media, *in.Media)
		}
		if text != "" {
			s.Texts = append(s.Texts, text)
		}
		if in.Media == nil && text == "" {
			return outcome{state: state, replies: []string{say(s.Locale, "ask_describe")}}
		}
		return outcome{state: state, replies: []string{say(s.Locale, "got_item")}, content: true}
	case stateMode:
		m := modeOf(in.choice())
		switch {
		case m == "":
			return outcome{state: state, replies: []string{prompt(state, s, pol)}}
		case m != "anonymous" && !pol.canHaveName:
			return outcome{state: state, replies: []string{say(s.Locale, "anon_only")}}
		case m == "anonymous" && !pol.allowAnon:
			return outcome{state: state, replies: []string{say(s.Locale, "anon_off")}}
		}
		s.Mode = m
		if s.Channel == "sms" {
			return outcome{state: stateFiling, file: true}
		}
		return outcome{state: stateConfirm, replies: []string{confirmText(s)}}
	case stateConfirm:
		if is(in.choice(), wordsYes) || in.choice() == "confirm_yes" {
			// no "sending…" line: the reference follows at once, and two
			// replies could arrive out of order
			return outcome{state: stateFiling, file: true}
		}
		return outcome{state: state, replies: []string{confirmText(s)}}
	case stateFiling:
		return outcome{state: state, replies: []string{say(s.Locale, "filing")}}
	}
	return outcome{state: stateType, replies: []string{say(s.Locale, "ask_type")}}
}

// finishDescribe moves on once the worker is done (or went quiet): the
// story must be long enough, or be a voice note.
func finishDescribe(s *session, pol policy) outcome {
	if utf8.RuneCountInString(s.description()) < pol.minDescRunes && !s.hasAudio() {
		return outcome{state: stateDescribe, replies: []string{say(s.Locale, "too_short")}}
	}
	return outcome{state: stateMode, replies: []string{prompt(stateMode, s, pol)}}
}

// prompt repeats the question of a state.
func prompt(state string, s *session, pol policy) string {
	switch state {
	case stateType:
		return say(s.Locale, "ask_type")
	case stateDescribe:
		return say(s.Locale, "ask_describe")
	case stateMode:
		switch {
		case !pol.canHaveName:
			return say(s.Locale, "anon_only")
		case s.Channel == "sms":
			return say(s.Locale, "ask_mode_sms")
		}
		return say(s.Locale, "ask_mode")
	case stateConfirm:
		return confirmText(s)
	}
	return say(s.Locale, "filing")
}

func confirmText(s *session) string {
	summary := s.description()
	if r := []rune(summary); len(r) > 120 {
		summary = string(r[:120]) + "…"
	}
	if summary == "" {
		summary = say(s.Locale, "voice_note")
	}
	return say(s.Locale, "confirm", "type", say(s.Locale, "type."+s.Type), "summary", summary,
		"n", itoa(len(s.Media)), "mode", say(s.Locale, "mode."+s.Mode))
}

func (s *session) description() string { return strings.TrimSpace(strings.Join(s.Texts, "\n")) }

func (s *session) hasAudio() bool {
	for _, m := range s.Media {
		if m.Kind == "audio" {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
