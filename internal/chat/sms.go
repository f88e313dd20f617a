package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The generic SMS provider format (docs/whatsapp.md): the provider POSTs
// {"id", "from", "text"} as JSON to /webhooks/sms with
//
//	X-Suara-Timestamp: <unix seconds>
//	X-Suara-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// and a request more than SMSMaxSkew away from the server's clock is
// refused, so a captured request cannot be replayed later. Replies go out
// through the union's gateway URL in notify's generic gateway format:
// POST {"channel": "sms", "to", "body"} with the gateway token as bearer.
type smsPayload struct {
	ID   string `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
}

// SMSMaxSkew bounds how far an SMS webhook's timestamp may be from now.
const SMSMaxSkew = 5 * time.Minute

// SignSMS returns the X-Suara-Signature of body sent at ts.
func SignSMS(secret string, ts int64, body []byte) string {
	return Sign(secret, append([]byte(strconv.FormatInt(ts, 10)+"."), body...))
}

func parseSMS(secret, tsHeader, sigHeader string, body []byte, now time.Time) (Inbound, error) {
	ts, err := strconv.ParseInt(strings.TrimSpace(tsHeader), 10, 64)
	if err != nil {
		return Inbound{}, ErrBadSignature
	}
	if err := checkSignature(secret, sigHeader, append([]byte(strconv.FormatInt(ts, 10)+"."), body...)); err != nil {
		return Inbound{}, err
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SMSMaxSkew || d < -SMSMaxSkew {
		return Inbound{}, ErrStale
	}
	var p smsPayload
	if err := json.Unmarshal(body, &p); err != nil || p.ID == "" || p.From == "" || len(p.ID) > 200 {
		return Inbound{}, ErrBadPayload
	}
	return Inbound{ID: p.ID, From: p.From, At: ts, Text: p.Text}, nil
}

// sendSMS posts one reply to the union's SMS gateway.
func sendSMS(ctx context.Context, client *http.Client, cfg Config, to, body string) error {
	if cfg.APIBase == "" {
		return &deliveryError{"no SMS gateway address"}
	}
	b, _ := json.Marshal(map[string]string{"channel": "sms", "to": to, "body": body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.APIBase, bytes.NewReader(b))
	if err != nil {
		return &deliveryError{"bad SMS gateway address"}
	}
	req.Header.Set("Content-Type", "application/json")
	if cfg.AccessToken != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.AccessToken)
	}
	resp, err := client.Do(req)
	if err != nil {
		return &deliveryError{"SMS gateway unreachable"}
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &deliveryError{"SMS gateway status " + strconv.Itoa(resp.StatusCode)}
	}
	return nil
}
