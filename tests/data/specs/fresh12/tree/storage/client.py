# stand-in for storage client wrapper (list_objects, delete_object)
