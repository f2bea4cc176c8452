"""The demo scooter shop's action server: availability, bookings and their status."""
