/*
 * The service descriptor tables. KiServiceTable and KiArgumentTable are
 * generated from the chosen Windows build's table (guest/tools/gensvc).
 */
#include "../inc/ke.h"

KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable[NUMBER_SERVICE_TABLES] = {
    { KiServiceTable, 0, 0, KiArgumentTable },
};

/* The shadow table (win32k's services in table 1) has no second table here. */
KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTableShadow[NUMBER_SERVICE_TABLES] = {
    { KiServiceTable, 0, 0, KiArgumentTable },
};

void KiInitializeServiceTables(void)
{
    KeServiceDescriptorTable[0].Limit = KiServiceLimit;
    KeServiceDescriptorTableShadow[0].Limit = KiServiceLimit;
}
