-- A step holds a lease token exactly while it runs: the claim sets one, and every way out of 'running' (completion,
-- failure, retry, cancel, hand-back, lease expiry, a retried run) clears it. Writes after a claim are fenced by the token
-- alone, so their lookups by primary key carry no status predicate (one would let the planner walk a partial index of
-- running steps instead, which a burst of running steps makes slow before statistics catch up).
ALTER TABLE steps ADD CONSTRAINT steps_lease_while_running CHECK ((lease_token IS NOT NULL) = (status = 'running'));
