"""Running Raasta as a deployment would: several hosts behind a load balancer (cluster.py)."""
