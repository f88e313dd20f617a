-- The "why" of a suggestion (issue 25): the words of the case that weighed
-- most for the suggested category (built-in model) and the life-and-limb
-- rules that set a floor under the urgency. Officers see both on the staff
-- case page. Words come from the case's own text, which staff already read.
ALTER TABLE case_suggestions
    ADD COLUMN category_terms text[] NOT NULL DEFAULT '{}' CHECK (cardinality(category_terms) <= 8),
    ADD COLUMN urgency_rules  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(urgency_rules) <= 20);
