package chat

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The WhatsApp Business Cloud API's webhook payload (the parts intake
// reads): object "whatsapp_business_account", entry[].changes[] with field
// "messages" and a value holding contacts[], messages[] and statuses[].
type waPayload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string  `json:"field"`
			Value waValue `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type waValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []waMessage `json:"messages"`
	Statuses []struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Timestamp string `json:"timestamp"`
	} `json:"statuses"`
}

type waMedia struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

type waMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image       *waMedia `json:"image"`
	Audio       *waMedia `json:"audio"`
	Video       *waMedia `json:"video"`
	Document    *waMedia `json:"document"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
}

// Errors of a webhook request; the web layer answers each with a 4xx.
var (
	ErrNoChannel    = errors.New("chat channel not configured")
	ErrBadSignature = errors.New("webhook signature missing or wrong")
	ErrStale        = errors.New("webhook request is stale")
	ErrBadPayload   = errors.New("webhook payload unreadable")
)

// checkSignature verifies "sha256=" + hex HMAC-SHA256(body, secret) in
// constant time.
func checkSignature(secret, header string, body []byte) error {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok || secret == "" {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value of body (for tests and docs).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// parseWhatsApp turns a payload into inbound messages, with the oldest
// timestamp of any message or status in it (0 when none).
func parseWhatsApp(body []byte) (msgs []Inbound, oldest int64, err error) {
	var p waPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, 0, ErrBadPayload
	}
	if p.Object != "whatsapp_business_account" {
		return nil, 0, ErrBadPayload
	}
	note := func(ts string) {
		if n, err := strconv.ParseInt(ts, 10, 64); err == nil && (oldest == 0 || n < oldest) {
			oldest = n
		}
	}
	for _, e := range p.Entry {
		for _, ch := range e.Changes {
			if ch.Field != "messages" {
				continue
			}
			names := map[string]string{}
			for _, c := range ch.Value.Contacts {
				names[c.WaID] = c.Profile.Name
			}
			for _, st := range ch.Value.Statuses {
				note(st.Timestamp)
			}
			for _, m := range ch.Value.Messages {
				note(m.Timestamp)
				if m.ID == "" || m.From == "" {
					continue
				}
				at, _ := strconv.ParseInt(m.Timestamp, 10, 64)
				in := Inbound{ID: m.ID, From: m.From, Name: names[m.From], At: at}
				media := func(kind string, md *waMedia) {
					if md != nil && md.ID != "" {
						in.Media = &Media{ID: md.ID, MIME: md.MIMEType, Kind: kind, Filename: md.Filename}
						in.Text = md.Caption
					}
				}
				switch m.Type {
				case "text":
					if m.Text != nil {
						in.Text = m.Text.Body
					}
				case "image":
					media("image", m.Image)
				case "audio":
					media("audio", m.Audio)
				case "video":
					media("video", m.Video)
				case "document":
					media("document", m.Document)
				case "interactive":
					if i := m.Interactive; i != nil && i.ButtonReply != nil {
						in.Choice, in.Text = i.ButtonReply.ID, i.ButtonReply.Title
					} else if i != nil && i.ListReply != nil {
						in.Choice, in.Text = i.ListReply.ID, i.ListReply.Title
					}
				case "button":
					if m.Button != nil {
						in.Choice, in.Text = m.Button.Payload, m.Button.Text
					}
				}
				msgs = append(msgs, in)
			}
		}
	}
	return msgs, oldest, nil
}

// graph calls the Graph API of one union's WhatsApp channel.
type graph struct {
	client *http.Client
	cfg    Config
}

// DefaultGraphBase is the Graph API root used when a channel sets none.
const DefaultGraphBase = "https://graph.facebook.com/v21.0"

func (g graph) base() string {
	b := strings.TrimRight(g.cfg.APIBase, "/")
	if b == "" {
		b = DefaultGraphBase
	}
	return b
}

// deliveryError is a send failure as shown on the channel page: the HTTP
// status and Graph's error code, never the raw connection error (which
// would echo internals of whatever host an admin configured).
type deliveryError struct{ msg string }

func (e *deliveryError) Error() string { return e.msg }

func (g graph) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+g.cfg.AccessToken)
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, &deliveryError{"Graph API unreachable"}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		var e struct {
			Error struct {
				Code int `json:"code"`
			} `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 16<<10)).Decode(&e)
		return nil, &deliveryError{fmt.Sprintf("Graph API status %d (error code %d)", resp.StatusCode, e.Error.Code)}
	}
	return resp, nil
}

// sendText posts a text message: POST {base}/{phone-number-id}/messages.
func (g graph) sendText(ctx context.Context, to, body string) error {
	msg := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
		"type": "text", "text": map[string]any{"preview_url": false, "body": body}}
	b, _ := json.Marshal(msg)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base()+"/"+url.PathEscape(g.cfg.PhoneNumberID)+"/messages", bytes.NewReader(b))
	if err != nil {
		return &deliveryError{"bad Graph API address"}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// fetchMedia downloads a media file: GET {base}/{media-id} gives its url,
// then GET url with the same token gives the bytes (at most max).
func (g graph) fetchMedia(ctx context.Context, id string, max int64) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base()+"/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, "", &deliveryError{"bad Graph API address"}
	}
	resp, err := g.do(req)
	if err != nil {
		return nil, "", err
	}
	var meta struct {
		URL      string `json:"url"`
		MIMEType string `json:"mime_type"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&meta)
	resp.Body.Close()
	if err != nil || meta.URL == "" {
		return nil, "", &deliveryError{"Graph API media answer unreadable"}
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, meta.URL, nil)
	if err != nil {
		return nil, "", &deliveryError{"bad media address"}
	}
	resp, err = g.do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, "", &deliveryError{"media download interrupted"}
	}
	if int64(len(data)) > max {
		return nil, "", &deliveryError{"media too large"}
	}
	return data, meta.MIMEType, nil
}
