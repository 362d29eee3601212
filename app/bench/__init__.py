"""`fwatlas bench`: reference apps, verified, then measured with wrk, the same way for all."""
