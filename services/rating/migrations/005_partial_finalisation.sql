-- A finalisation takes the products that are ready and leaves the others open: each product's finalisation day, and
-- why one is still open. Sessions may now be 'partly_finalised'. Derived: `ocop rebuild rating` fills older rows.

ALTER TABLE session_products
    ADD COLUMN IF NOT EXISTS finalised_on DATE,
    ADD COLUMN IF NOT EXISTS open_reason TEXT;
UPDATE session_products p SET finalised_on = s.finalised_on FROM sessions s
 WHERE p.session_id = s.session_id AND p.finalised_on IS NULL AND p.mean IS NOT NULL;
