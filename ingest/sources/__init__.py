"""Mail sources behind one small interface (:class:`base.MailSource`)."""
