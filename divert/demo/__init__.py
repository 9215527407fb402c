"""Demo data: accounts for every role and a region's worth of realistic referrals."""
