-- The first migration creates PostGIS; every geometry column depends on it.
CREATE EXTENSION IF NOT EXISTS postgis;
