"""What people reach over HTTP: the authenticated API, the ninjas' review page and the public page."""
