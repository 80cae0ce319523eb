-- Per API key, both optional: the catalog models the key may use (a JSON array of model ids; NULL:
-- every model) and the most requests it may have in flight at once (NULL: the configured
-- caravan.auth.max-concurrent-requests).
ALTER TABLE api_keys ADD COLUMN models VARCHAR(20000);
ALTER TABLE api_keys ADD COLUMN max_concurrent_requests INTEGER;
