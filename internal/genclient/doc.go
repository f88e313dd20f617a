// Package genclient holds no code: its test generates a Go client from the
// OpenAPI document with a third-party generator (oapi-codegen, through the
// Go module proxy) into a temporary module, compiles it, and drives the
// real server with it — proof that a mobile team can build on the document
// as it stands.
package genclient
