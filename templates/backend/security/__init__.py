"""Security of the service: authentication, authorisation, field encryption and compliance."""
