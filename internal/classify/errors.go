package classify

import "errors"

// ErrNoCategories is returned when an Input has no categories: no answer
// could satisfy the contract that the output is one of them.
var ErrNoCategories = errors.New("classify: input has no categories")
