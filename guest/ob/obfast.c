/*
 * The fastcall reference routines wdm.h's ObReferenceObject and
 * ObDereferenceObject macros call in drivers. They return the count left,
 * as NT's do (the value is only a hint: another reference may follow).
 */
#include "../inc/ob.h"

LONG_PTR FASTCALL ObfReferenceObject(PVOID Object)
{
    ObReferenceObject(Object);
    return OBJECT_TO_OBJECT_HEADER(Object)->PointerCount;
}

LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object)
{
    LONG_PTR left = OBJECT_TO_OBJECT_HEADER(Object)->PointerCount - 1;
    ObDereferenceObject(Object);
    return left;
}
