"""Map errors to Partner Center ServiceFault bodies (filled in by the API work)."""
from rest_framework.views import exception_handler


def service_fault_handler(exc, context):
    return exception_handler(exc, context)
