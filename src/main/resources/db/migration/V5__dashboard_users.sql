-- People and their web sessions (docs/dashboard.md). Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
-- Passwords and every token are stored only as hashes: a copy of the database opens no account.

-- A person who signs in to the dashboard. Each owns one account (balance, keys, usage).
CREATE TABLE users (
    id                   VARCHAR(40)   PRIMARY KEY,
    -- lower-cased: one user per mailbox however it is typed
    email                VARCHAR(320)  NOT NULL UNIQUE,
    -- Spring Security's encoded form, algorithm id first ({argon2}...)
    password_hash        VARCHAR(200)  NOT NULL,
    account_id           VARCHAR(40)   NOT NULL UNIQUE REFERENCES accounts (id),
    email_verified_at    TIMESTAMP WITH TIME ZONE,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One signed-in browser. The session JWT names it (sid); ending it ends that JWT at once, and its
-- refresh tokens with it.
CREATE TABLE web_sessions (
    id            VARCHAR(40)   PRIMARY KEY,
    user_id       VARCHAR(40)   NOT NULL REFERENCES users (id),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    -- the browser's User-Agent, cut to 200 characters: for the person to tell their sessions apart
    user_agent    VARCHAR(200),
    ended_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Refresh tokens: single use. Using one marks it used and issues the next; a used one shown again
-- means it was copied, and ends its session.
CREATE TABLE refresh_tokens (
    token_hash   CHAR(64)      PRIMARY KEY,
    session_id   VARCHAR(40)   NOT NULL REFERENCES web_sessions (id),
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- One-time links sent by mail: password reset, email verification, an invitation to own an account
-- the operator created. Single use, short-lived.
CREATE TABLE user_tokens (
    token_hash   CHAR(64)      PRIMARY KEY,
    purpose      VARCHAR(20)   NOT NULL,
    -- the user (reset, verify) or, for an invitation, NULL and the account to own
    user_id      VARCHAR(40)   REFERENCES users (id),
    account_id   VARCHAR(40)   REFERENCES accounts (id),
    email        VARCHAR(320)  NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at      TIMESTAMP WITH TIME ZONE,
    CONSTRAINT user_tokens_purpose CHECK (purpose IN ('password_reset', 'verify_email', 'invite'))
);

-- The owner asked for the account to be deleted: its keys are revoked at once; the deletion itself
-- (refund of what is refundable, erasure) follows the payments issue's rules.
ALTER TABLE accounts ADD COLUMN deletion_requested_at TIMESTAMP WITH TIME ZONE;
