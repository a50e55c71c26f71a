-- ASP.NET Core Data Protection's key ring, shared by every instance: a cookie (the dashboard's
-- sign-in, an antiforgery token) issued by one instance is read by any other.
CREATE TABLE stepupdown.data_protection_keys (
    friendly_name  text        PRIMARY KEY,
    xml            text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
