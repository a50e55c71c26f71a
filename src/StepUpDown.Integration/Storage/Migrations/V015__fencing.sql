-- Fencing: each attempt that marks a row sending stamps it with a token of its own, and every write
-- of the attempt after that is conditional on the token still being there. An instance paused past
-- its lease (a GC or VM pause, a lost database link) whose row a peer has taken over since then
-- overwrites nothing and sends nothing more.
ALTER TABLE stepupdown.notifications ADD COLUMN sending_token uuid NULL;
