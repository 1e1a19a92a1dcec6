#include "privtest.h"
int main(void){return 77;}
