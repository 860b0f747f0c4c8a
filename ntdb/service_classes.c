/* The one table of service classes (see service_classes.h). */
#include <string.h>
#include "service_classes.h"

#define LIST(...) (const char *const[]){ __VA_ARGS__, NULL }
#define NONE      (const char *const[]){ NULL }

const struct svc_class svc_classes[] = {
    { "file", "files, directories, pipes, mailslots and devices: *File",
      LIST("File"), NONE, LIST("NlsFiles") },
    { "memory", "virtual memory, sections and their views, physical pages",
      LIST("VirtualMemory", "Section", "UserPhysicalPages", "WriteWatch", "Partition", "MappedFilesTheSame"),
      LIST("NtFlushInstructionCache", "NtFlushWriteBuffer", "NtFlushProcessWriteBuffers"),
      LIST("Alpc", "Nls", "PartitionUnit") },
    { "sync", "events, mutants, semaphores, timers and waits",
      LIST("Event", "Mutant", "Semaphore", "Timer", "WaitFor", "SignalAndWait"), LIST("NtAlertThreadByThreadId"),
      LIST("TraceEvent", "PlugPlayEvent", "DebugEvent", "WorkerFactory", "TimerResolution",
           "Wnf") },
    { "process", "processes, threads and jobs",
      LIST("Process", "Thread", "JobObject", "JobSet"), LIST("NtTestAlert"),
      LIST("Token", "ProcessorNumber", "ProcessWriteBuffers", "ThreadExecutionState", "Alpc", "Wnf") },
    { "registry", "registry keys and values",
      LIST("Key", "Registry"), NONE, LIST("KeyedEvent", "ProductActivationKeys", "MUIRegistry") },
    { "handle", "handles and objects as such: NtClose, NtDuplicateObject...",
      NONE,
      LIST("NtClose", "NtDuplicateObject", "NtQueryObject", "NtSetInformationObject", "NtMakeTemporaryObject",
           "NtMakePermanentObject", "NtCompareObjects", "NtQuerySecurityObject", "NtSetSecurityObject"),
      NONE },
    { NULL, NULL, NULL, NULL, NULL },
};

const struct svc_class *svc_class_find(const char *name)
{
    for (const struct svc_class *c = svc_classes; name && c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

static bool contains_any(const char *service, const char *const *parts)
{
    for (; *parts; parts++)
        if (strstr(service, *parts))
            return true;
    return false;
}

static bool is_one_of(const char *service, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(service, *names))
            return true;
    return false;
}

bool svc_class_has(const struct svc_class *c, const char *service)
{
    if (!service || strncmp(service, "Nt", 2))
        return false;
    return (contains_any(service + 2, c->contains) || is_one_of(service, c->names)) &&
           !contains_any(service + 2, c->except);
}
